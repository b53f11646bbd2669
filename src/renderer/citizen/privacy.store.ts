/**
 * Privacy mode (issue #6): while on, personal data of citizens other than the one being served is
 * masked on screens a visitor at the counter can see (names → initials, ID and phone numbers → last
 * 3 digits, addresses hidden). Kept for the window's session (sessionStorage), shared by every view
 * through useSyncExternalStore.
 */
import { useSyncExternalStore } from 'react';
import { HIDDEN, maskName, maskNumber } from '../../shared/citizen';

const KEY = 'cw.citizen.privacy';

interface PrivacyState {
  on: boolean;
  /** ID number of the citizen being served (never masked). */
  served: string | null;
  /** Their name, to recognise them where a row carries only a name (queue rows). */
  servedName: string | null;
}

let state: PrivacyState = { on: readStored(), served: null, servedName: null };
const listeners = new Set<() => void>();

function readStored(): boolean {
  try {
    return typeof sessionStorage !== 'undefined' && sessionStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

function set(next: PrivacyState): void {
  state = next;
  try {
    sessionStorage.setItem(KEY, next.on ? '1' : '0');
  } catch {
    // storage unavailable: the mode still works for this page
  }
  for (const l of listeners) l();
}

export const privacyStore = {
  get: (): PrivacyState => state,
  setOn: (on: boolean): void => set({ ...state, on }),
  setServed: (served: string | null, servedName: string | null = null): void => {
    if (state.served !== served || state.servedName !== servedName) set({ ...state, served, servedName });
  },
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function usePrivacy(): PrivacyState {
  return useSyncExternalStore(privacyStore.subscribe, privacyStore.get, privacyStore.get);
}

/** Masks for one citizen (identity = their ID number, null when unknown: masked too when on). */
export interface Masker {
  masked: boolean;
  name: (v: string | null) => string | null;
  id: (v: string | null) => string | null;
  phone: (v: string | null) => string | null;
  address: (v: string | null) => string | null;
  /** Free text (titles): 9–12 digit numbers and phone numbers in it keep their last 3 digits. */
  text: (v: string) => string;
}

export function maskerFor(p: PrivacyState, citizenId: string | null): Masker {
  const masked = p.on && (citizenId === null || citizenId !== p.served);
  const keep = (v: string | null): string | null => v;
  if (!masked) return { masked, name: keep, id: keep, phone: keep, address: keep, text: (v) => v };
  return {
    masked,
    name: (v) => (v === null ? null : maskName(v)),
    id: (v) => (v === null ? null : maskNumber(v)),
    phone: (v) => (v === null ? null : maskNumber(v)),
    address: (v) => (v === null ? null : HIDDEN),
    text: (v) => v.replace(/\b\d{9,12}\b/g, (m) => maskNumber(m)),
  };
}

/**
 * Queue rows carry a name (party) but no ID number: in privacy mode every name other than the served
 * citizen's is shown as initials, in the party column and inside the title, and 9–12 digit numbers in
 * titles keep their last 3 digits.
 */
export function useRowPrivacy(): {
  party: (party: string | null, source: string) => string | null;
  title: (title: string, party: string | null, source: string) => string;
} {
  const p = usePrivacy();
  if (!p.on) return { party: (v) => v, title: (v) => v };
  // A document's party is the sending agency, not a citizen.
  const isPerson = (name: string | null, source: string): name is string => name !== null && name !== '' && source !== 'document';
  const isServed = (name: string): boolean => p.servedName !== null && name === p.servedName;
  return {
    party: (party, source) => (isPerson(party, source) && !isServed(party) ? maskName(party) : party),
    title: (title, party, source) => {
      const named = isPerson(party, source) && !isServed(party) ? title.split(party).join(maskName(party)) : title;
      return named.replace(/\b\d{9,12}\b/g, (m) => maskNumber(m));
    },
  };
}
