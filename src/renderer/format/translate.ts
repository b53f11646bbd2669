/** The translate function the pure formatters take (i18next's `t`, or a fixed-language one). */
export type Translate = (key: string, options?: Record<string, unknown>) => string;
