/** Why a value was refused: a short sentence fragment that does not repeat the value. */
export interface Rejection {
  readonly reason: string;
}

/** Rejections are built once at module load: refusing a value allocates nothing. */
export function rejection(reason: string): Rejection {
  return Object.freeze({ reason });
}
