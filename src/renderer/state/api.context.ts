/** The transport, handed down from the composition root (main.tsx) — no module singleton. */
import { createContext, useContext } from 'react';
import type { RendererTransport } from '../api/envelope';

export const ApiContext = createContext<RendererTransport | null>(null);

export function useApi(): RendererTransport {
  const api = useContext(ApiContext);
  if (!api) throw new Error('ApiContext is missing');
  return api;
}
