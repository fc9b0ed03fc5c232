/** The evaluator's time in epoch milliseconds; a provider, so tests can set the minute. */
export type Clock = () => number;

export const EVALUATION_CLOCK = Symbol('EVALUATION_CLOCK');

export const systemClock: Clock = () => Date.now();
