/**
 * MISP's default decay formula, `Polynomial` (MISP: app/Model/DecayingModelsFormulas/Polynomial.php,
 * after the paper "An indicator scoring method for MISP platforms"), and the moment its score
 * crosses the model's threshold.
 *
 * What MISP computes, in its units:
 * - the lifetime is a number of days; MISP multiplies it by 86,400 and compares it with an elapsed
 *   time in seconds (now minus the origin, both epoch seconds);
 * - score(t) = base_score × (1 − (t / lifetime)^(1 / decay_speed)), clamped at 0 from below, and 0
 *   for a negative elapsed time;
 * - an attribute is decayed when threshold > score (strictly: a score equal to the threshold is
 *   still alive).
 *
 * Solving score(t) = threshold gives the crossing without any search:
 *   t* = lifetime × (1 − threshold / base_score)^decay_speed
 * A base score below the threshold is decayed from the origin on (the score at t = 0 is the base
 * score); one equal to it is alive at the origin only. One departure from MISP's verdict, on
 * purpose: with a threshold of 0, MISP's `threshold > score` never holds (the score stops at 0), yet
 * an indicator whose score reached 0 carries no confidence: it lapses at the end of the lifetime,
 * which is where t* puts it.
 */
import { DecayParametersError } from './errors/decay-parameters-error.js';

export const SECONDS_PER_DAY = 86_400;

/** Beyond a century a lifetime is a unit mistake (seconds typed as days), and no longer a date an IOC collection keeps. */
export const MAX_LIFETIME_DAYS = 36_525;

export interface PolynomialParameters {
  /** Days, as MISP stores them. */
  lifetime: number;
  decaySpeed: number;
  threshold: number;
}

/** Throws a DecayParametersError, naming `model`, for parameters the formula cannot use. */
export function checkPolynomialParameters(model: string, parameters: PolynomialParameters): void {
  const { lifetime, decaySpeed, threshold } = parameters;
  if (!Number.isFinite(lifetime)) throw new DecayParametersError(model, 'lifetime', `is ${String(lifetime)}, not a number of days`);
  if (lifetime <= 0) throw new DecayParametersError(model, 'lifetime', `is ${lifetime} days: it must be above 0`);
  if (lifetime > MAX_LIFETIME_DAYS) {
    throw new DecayParametersError(model, 'lifetime', `is ${lifetime} days: more than a century (${MAX_LIFETIME_DAYS} days) is taken for a mistake`);
  }
  if (!Number.isFinite(decaySpeed)) throw new DecayParametersError(model, 'decay_speed', `is ${String(decaySpeed)}, not a number`);
  if (decaySpeed <= 0) {
    throw new DecayParametersError(model, 'decay_speed', `is ${decaySpeed}: the formula raises to the power 1/decay_speed, so it must be above 0`);
  }
  if (!Number.isFinite(threshold)) throw new DecayParametersError(model, 'threshold', `is ${String(threshold)}, not a number`);
  if (threshold < 0) throw new DecayParametersError(model, 'threshold', `is ${threshold}: a score never goes below 0, so it must be 0 or more`);
}

/** MISP's score `elapsedSeconds` after the origin. */
export function polynomialScore(baseScore: number, elapsedSeconds: number, parameters: PolynomialParameters): number {
  if (elapsedSeconds < 0) return 0;
  const lifetimeSeconds = parameters.lifetime * SECONDS_PER_DAY;
  const score = baseScore * (1 - Math.pow(elapsedSeconds / lifetimeSeconds, 1 / parameters.decaySpeed));
  return score < 0 ? 0 : score;
}

/** MISP's verdict on a score: decayed when the threshold is above it. */
export function isDecayedScore(score: number, threshold: number): boolean {
  return threshold > score;
}

/**
 * The last whole second after the origin at which the score is still at or above the threshold:
 * the indicator is valid through `origin + lastAliveSecond(...)` and decayed one second later.
 * Undefined when it is decayed from the origin on. Throws a DecayParametersError for unusable
 * parameters.
 */
export function lastAliveSecond(model: string, baseScore: number, parameters: PolynomialParameters): number | undefined {
  checkPolynomialParameters(model, parameters);
  if (!Number.isFinite(baseScore)) throw new DecayParametersError(model, 'base score', `is ${String(baseScore)}, not a number`);
  const { lifetime, decaySpeed, threshold } = parameters;
  if (baseScore < threshold) return undefined;
  if (baseScore === threshold) return 0;
  const crossing = lifetime * SECONDS_PER_DAY * Math.pow(1 - threshold / baseScore, decaySpeed);
  // A threshold of 0 is met at the end of the lifetime and, MISP's score staying at 0, ever after.
  if (threshold === 0) return Math.floor(crossing);
  // The closed form and MISP's own arithmetic may round apart by a second where t* is (nearly) whole:
  // settle the boundary second with the formula MISP evaluates.
  let alive = Math.floor(crossing);
  while (alive > 0 && isDecayedScore(polynomialScore(baseScore, alive, parameters), threshold)) alive -= 1;
  while (!isDecayedScore(polynomialScore(baseScore, alive + 1, parameters), threshold)) alive += 1;
  return alive;
}
