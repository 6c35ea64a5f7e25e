/** How a measured stream ended: read to its end, cancelled by the client, or failed. */
export type StreamOutcome = 'complete' | 'cancelled' | 'failed';

/** Passes `body` through unchanged and calls `onEnd` once, when it has been read to its end or abandoned. */
export function measureStream(
  body: ReadableStream<Uint8Array>,
  onEnd: (outcome: StreamOutcome) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = (outcome: StreamOutcome) => {
    if (ended) return;
    ended = true;
    onEnd(outcome);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          end('complete');
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        end('failed');
        controller.error(error);
      }
    },
    async cancel(reason) {
      end('cancelled');
      await reader.cancel(reason);
    },
  });
}
