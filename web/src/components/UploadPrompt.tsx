import { type DragEvent, type ReactNode, useId, useRef, useState } from 'react';
import type { AppConfig } from '../api/api-types.ts';
import { acceptedSummary, formatBytes } from '../lib/format.ts';
import { HiddenFileInput } from './HiddenFileInput.tsx';

/** Props of {@link UploadPrompt}. */
export interface UploadPromptProps {
  config: AppConfig;
  disabled: boolean;
  onFile: (file: File) => void;
}

/** The first message of a new chat: asks for a file, by drag and drop or by browsing. */
export function UploadPrompt({ config, disabled, onFile }: UploadPromptProps): ReactNode {
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const hintId = useId();

  const handleDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    // The chat around the prompt takes drops too; one upload per drop.
    event.stopPropagation();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  };

  return (
    <div className="bubble bubble-app upload-prompt">
      <p className="upload-title">Please upload a Text or PDF file to begin!</p>
      <section
        aria-label="Upload a file"
        className={dragging ? 'dropzone dropzone-active' : 'dropzone'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={handleDrop}
      >
        <p>Drag and drop a file here, or</p>
        <button
          type="button"
          className="button button-primary"
          disabled={disabled}
          aria-describedby={hintId}
          onClick={() => inputRef.current?.click()}
        >
          Browse files
        </button>
        <p id={hintId} className="hint" title={config.accept.extensions.join(', ')}>
          {acceptedSummary(config.accept.extensions)} · up to {formatBytes(config.maxUploadBytes)}
        </p>
        <HiddenFileInput
          inputRef={inputRef}
          label="Choose a Text or PDF file"
          config={config}
          onFile={onFile}
        />
      </section>
    </div>
  );
}
