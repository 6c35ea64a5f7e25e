import type { ReactNode, Ref } from 'react';
import type { AppConfig } from '../api/api-types.ts';

/** Props of {@link HiddenFileInput}. */
export interface HiddenFileInputProps {
  inputRef: Ref<HTMLInputElement>;
  label: string;
  config: AppConfig | null;
  onFile: (file: File) => void;
}

/**
 * The browser's file picker, hidden and opened by a button elsewhere. It accepts the server's file types and
 * resets after each pick, so choosing the same file again still uploads it.
 */
export function HiddenFileInput({ inputRef, label, config, onFile }: HiddenFileInputProps): ReactNode {
  return (
    <input
      ref={inputRef}
      type="file"
      className="visually-hidden"
      tabIndex={-1}
      aria-label={label}
      accept={config ? [...config.accept.extensions, ...config.accept.mimeTypes].join(',') : undefined}
      onChange={(event) => {
        const file = event.target.files?.[0];
        event.target.value = '';
        if (file) onFile(file);
      }}
    />
  );
}
