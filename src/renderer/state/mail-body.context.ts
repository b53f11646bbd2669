/** The workstation's MailBodyStore, handed down to the mail views. */
import { createContext, useContext } from 'react';
import type { MailBodyStore } from './mail-body.store';

export const MailBodyContext = createContext<MailBodyStore | null>(null);

export function useMailBodies(): MailBodyStore {
  const store = useContext(MailBodyContext);
  if (!store) throw new Error('MailBodyContext is missing');
  return store;
}
