/** One readable line for any error the transports throw. */
import { ApiCallError } from '../../shared/api';
import { TransportError } from '../api/envelope';

export function errorMessage(error: unknown): string {
  if (error instanceof ApiCallError) return error.error.message;
  if (error instanceof TransportError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiCallError && error.error.code === 'unauthorized';
}

export function isUnreachable(error: unknown): boolean {
  return error instanceof TransportError;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiCallError && error.error.code === 'not_found';
}
