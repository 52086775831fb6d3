/** The error a function throws (fails the test if it returns). */
export function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, but the call returned');
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Why a call refuses its input: the message of the error it throws, which must be of this kind. */
export function refusal(run: () => unknown, kind: abstract new (...args: never[]) => Error): string {
  const error = thrown(run);
  if (!(error instanceof kind)) throw error;
  return error.message;
}
