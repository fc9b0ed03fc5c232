import type { KeyKind } from '@tally/contracts';
import type { RequestCost } from './request-cost.js';

/** Tokens taken up front for a request whose cost is settled once it is answered. */
export interface Reservation {
  keyHash: string;
  kind: KeyKind;
  tokens: number;
  cost: RequestCost;
}

const reservations = new WeakMap<object, Reservation>();

export function holdReservation(request: object, reservation: Reservation): void {
  reservations.set(request, reservation);
}

/** The request's reservation, once: it is settled by whoever takes it. */
export function takeReservation(request: object): Reservation | undefined {
  const reservation = reservations.get(request);
  reservations.delete(request);
  return reservation;
}
