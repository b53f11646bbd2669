/** The core's logging hook. Never pass secrets (passwords, tokens) in `msg` or `data`. */
export type CoreLogLevel = 'info' | 'warn' | 'error';
export type CoreLog = (level: CoreLogLevel, msg: string, data?: unknown) => void;

export const silentLog: CoreLog = () => {};
