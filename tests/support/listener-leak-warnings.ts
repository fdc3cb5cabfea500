/**
 * Runs `body` and returns the messages of the MaxListenersExceededWarning Node emitted meanwhile
 * (listeners piling up on one emitter or signal), once they had their turn to be emitted.
 */
export async function listenerLeakWarnings(body: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => {
    if (warning.name === 'MaxListenersExceededWarning') warnings.push(warning.message);
  };
  process.on('warning', onWarning);
  try {
    await body();
    // Node emits warnings on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}
