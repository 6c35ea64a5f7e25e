import type { ReactNode } from 'react';

/** Props of {@link DismissButton}. */
export interface DismissButtonProps {
  /** What is dismissed, for screen readers: "Dismiss the failed upload of scan.pdf". */
  label: string;
  onDismiss: () => void;
}

/** The "Dismiss" button of an error or notice in the timeline. */
export function DismissButton({ label, onDismiss }: DismissButtonProps): ReactNode {
  return (
    <button type="button" className="link-button bubble-dismiss" aria-label={label} onClick={onDismiss}>
      Dismiss
    </button>
  );
}
