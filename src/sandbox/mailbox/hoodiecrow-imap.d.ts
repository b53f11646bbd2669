/**
 * The part of hoodiecrow-imap@2.1.0 (an in-memory IMAP server for client tests, plain CommonJS
 * without types) that src/sandbox/mailbox/imap.server.ts uses. Shapes read from its lib/server.js.
 */
declare module 'hoodiecrow-imap' {
  import type { EventEmitter } from 'node:events';
  import type { Server, Socket } from 'node:net';

  /** One message as the server keeps it; `raw` is a binary string (one char per byte). */
  export interface HoodiecrowMessage {
    raw: string;
    flags: string[];
    /** A Date on input, the IMAP date-time string once processed. */
    internaldate: string | Date;
    uid: number;
    /** Set by the CONDSTORE plugin. */
    MODSEQ?: number;
  }

  export interface HoodiecrowMailbox {
    path: string;
    messages: HoodiecrowMessage[];
    uidnext: number;
    uidvalidity: number;
    flags: string[];
    HIGHESTMODSEQ?: number;
    'special-use'?: string | string[];
  }

  /** A storage tree node before the server processed it. */
  export interface HoodiecrowFolderInput {
    messages?: { raw: string; flags?: string[]; internaldate?: Date }[];
    uidvalidity?: number;
    'special-use'?: string;
    folders?: Record<string, HoodiecrowFolderInput>;
  }

  export interface HoodiecrowNamespaceInput {
    separator?: string;
    type?: 'personal' | 'user' | 'shared';
    folders?: Record<string, HoodiecrowFolderInput>;
  }

  export interface ImapAtom {
    type: 'ATOM' | 'TEXT' | 'STRING' | 'SEQUENCE' | 'LITERAL' | 'SECTION';
    value?: string;
    section?: unknown[];
  }

  export interface ImapResponse {
    tag: string;
    command?: string;
    attributes?: unknown[];
    notification?: boolean;
    skipResponse?: boolean;
  }

  export interface ParsedCommand {
    tag: string;
    command: string;
    attributes?: (ImapAtom | ImapAtom[])[] | null;
  }

  export interface HoodiecrowConnection {
    socket: Socket | null;
    state: 'Not Authenticated' | 'Authenticated' | 'Selected' | 'Logout';
    selectedMailbox?: HoodiecrowMailbox;
    /** ENABLE plugin: what this session enabled. */
    enabled?: string[];
    directNotifications: boolean;
    inputHandler: false | ((line: string) => void);
    send(response: ImapResponse, description?: string, parsed?: ParsedCommand | null, data?: string, extra?: unknown): void;
    processNotifications(data?: unknown): void;
  }

  export type CommandHandler = (connection: HoodiecrowConnection, parsed: ParsedCommand, data: string, callback: () => void) => void;
  export type OutputHandler = (
    connection: HoodiecrowConnection,
    response: ImapResponse,
    description?: string,
    parsed?: ParsedCommand | null,
    data?: string,
    extra?: unknown,
  ) => void;

  /** A FETCH data item as parsed (BODY[1]<0.1024>: section and partial). */
  export interface FetchQuery {
    type: string;
    value: string;
    section?: unknown[];
    partial?: number[];
  }

  export type FetchHandler = (connection: HoodiecrowConnection, message: HoodiecrowMessage, query: FetchQuery) => unknown;

  export interface HoodiecrowServer extends EventEmitter {
    /** FETCH data items that replace the built-in ones (lib/commands/handlers/fetch.js). */
    fetchHandlers: Record<string, FetchHandler>;
    /** The listening socket server (net.Server), re-listenable after close(). */
    server: Server;
    users: Record<string, { password: string }>;
    connectionHandlers: ((connection: HoodiecrowConnection) => void)[];
    outputHandlers: OutputHandler[];
    systemFlags: string[];
    close(callback?: () => void): void;
    getMailbox(path: string): HoodiecrowMailbox | undefined;
    appendMessage(
      mailbox: HoodiecrowMailbox | string,
      flags: string[],
      internaldate: Date | string | undefined,
      raw: string,
      ignoreConnection?: HoodiecrowConnection,
    ): { mailbox: HoodiecrowMailbox; message: HoodiecrowMessage };
    notify(command: ImapResponse, mailbox: HoodiecrowMailbox | string, ignoreConnection?: HoodiecrowConnection | false): void;
    getMessageRange(mailbox: HoodiecrowMailbox, range: string, isUid: boolean): [number, HoodiecrowMessage][];
    registerCapability(keyword: string, available?: (connection: HoodiecrowConnection) => boolean): void;
    setCommandHandler(command: string, handler: CommandHandler): void;
    getCommandHandler(command: string): CommandHandler | false;
  }

  export type HoodiecrowPlugin = string | ((server: HoodiecrowServer) => void);

  export interface HoodiecrowOptions {
    plugins?: HoodiecrowPlugin[];
    users?: Record<string, { password: string }>;
    storage?: { INBOX?: HoodiecrowFolderInput } & Record<string, HoodiecrowFolderInput | HoodiecrowNamespaceInput>;
    debug?: boolean;
    secureConnection?: boolean;
  }

  export default function hoodiecrow(options?: HoodiecrowOptions): HoodiecrowServer;
}

declare module 'hoodiecrow-imap/lib/commands/handlers/fetch.js' {
  import type { FetchHandler } from 'hoodiecrow-imap';

  const fetchHandlers: Record<string, FetchHandler>;
  export default fetchHandlers;
}
