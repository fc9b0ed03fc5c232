/** Something an app must have before it can take traffic (a connection, a migrated schema). */
export interface ReadinessCheck {
  readonly name: string;
  isReady(): Promise<boolean>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
