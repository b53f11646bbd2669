/**
 * Adapter registry: backend kinds → factories, config schemas and capability flags.
 * The composition root calls `createAdapter(config)` with what IT staff configured (untrusted JSON);
 * the registry validates it and answers a BackendAdapter or an AdapterConfigError listing the fields.
 */
import { z } from 'zod';
import { SourceSchema, type Source } from '../../shared/domain';
import { AdapterError, type AdapterCapabilities, type AdapterDeps, type BackendAdapter } from './adapter';
import { DOCUMENT_CAPABILITIES, DocumentAdapter, DocumentAdapterConfigSchema } from './document.adapter';
import { MAIL_CAPABILITIES, MailAdapter, MailAdapterConfigSchema } from './mail.adapter';
import { PROCEDURE_CAPABILITIES, ProcedureAdapter, ProcedureAdapterConfigSchema } from './procedure.adapter';

export type AdapterKind = Source;

export interface AdapterConfigIssue {
  /** Dotted path of the field, e.g. `pageSize`; `kind` for an unknown kind. */
  path: string;
  message: string;
}

/** Invalid adapter configuration; `issues` lists every invalid field. */
export class AdapterConfigError extends AdapterError {
  constructor(
    readonly kind: string | null,
    readonly issues: AdapterConfigIssue[],
  ) {
    super(
      'config_invalid',
      `Invalid ${kind ?? 'adapter'} configuration: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      false,
    );
    this.name = 'AdapterConfigError';
  }
}

/** A registered adapter kind, with its config schema kept typed until `create`. */
export interface AdapterDefinition<S extends z.ZodType = z.ZodType> {
  kind: AdapterKind;
  /** Human label of the kind, for the settings screen. */
  title: string;
  capabilities: AdapterCapabilities;
  /** Schema of the config *without* the `kind` discriminator. */
  configSchema: S;
  create(config: z.output<S>, deps: AdapterDeps): BackendAdapter;
}

/** A type-erased entry the registry can hold in one map. */
export interface AdapterFactory {
  readonly kind: AdapterKind;
  readonly title: string;
  readonly capabilities: AdapterCapabilities;
  readonly configSchema: z.ZodType;
  create(config: unknown, deps: AdapterDeps): BackendAdapter;
}

function toIssues(error: z.ZodError): AdapterConfigIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
  }));
}

export function defineAdapter<S extends z.ZodType>(definition: AdapterDefinition<S>): AdapterFactory {
  return {
    kind: definition.kind,
    title: definition.title,
    capabilities: definition.capabilities,
    configSchema: definition.configSchema,
    create(config, deps) {
      const parsed = definition.configSchema.safeParse(config);
      if (!parsed.success) throw new AdapterConfigError(definition.kind, toIssues(parsed.error));
      return definition.create(parsed.data, deps);
    },
  };
}

const KindOnlySchema = z.looseObject({ kind: SourceSchema });

export class AdapterRegistry {
  private readonly factories = new Map<AdapterKind, AdapterFactory>();

  register(factory: AdapterFactory): this {
    if (this.factories.has(factory.kind)) throw new Error(`Adapter kind "${factory.kind}" is already registered`);
    this.factories.set(factory.kind, factory);
    return this;
  }

  kinds(): AdapterKind[] {
    return [...this.factories.keys()];
  }

  get(kind: AdapterKind): AdapterFactory | undefined {
    return this.factories.get(kind);
  }

  capabilities(kind: AdapterKind): AdapterCapabilities | undefined {
    return this.factories.get(kind)?.capabilities;
  }

  /** Validate an untrusted `{ kind, ...config }` and build the adapter. */
  create(config: unknown, deps: AdapterDeps = {}): BackendAdapter {
    const head = KindOnlySchema.safeParse(config);
    if (!head.success) {
      const known = this.kinds().join(', ');
      throw new AdapterConfigError(null, [{ path: 'kind', message: `expected one of: ${known}` }]);
    }
    const factory = this.factories.get(head.data.kind);
    if (!factory) {
      throw new AdapterConfigError(head.data.kind, [
        { path: 'kind', message: `no adapter available for "${head.data.kind}" (available: ${this.kinds().join(', ')})` },
      ]);
    }
    const { kind: _kind, ...rest } = head.data;
    return factory.create(rest, deps);
  }
}

export const procedureAdapterDefinition = defineAdapter({
  kind: 'procedure',
  title: 'Hệ thống thông tin giải quyết thủ tục hành chính (DVCQG sync API)',
  capabilities: PROCEDURE_CAPABILITIES,
  configSchema: ProcedureAdapterConfigSchema,
  create: (config, deps) => new ProcedureAdapter(config, deps),
});

export const documentAdapterDefinition = defineAdapter({
  kind: 'document',
  title: 'Trục liên thông văn bản (LGSP/edXML)',
  capabilities: DOCUMENT_CAPABILITIES,
  configSchema: DocumentAdapterConfigSchema,
  create: (config, deps) => new DocumentAdapter(config, deps),
});

export const mailAdapterDefinition = defineAdapter({
  kind: 'mail',
  title: 'Thư điện tử công vụ (IMAP)',
  capabilities: MAIL_CAPABILITIES,
  configSchema: MailAdapterConfigSchema,
  create: (config, deps) => new MailAdapter(config, deps),
});

/** A registry with every built-in adapter. */
export function createAdapterRegistry(): AdapterRegistry {
  return new AdapterRegistry().register(procedureAdapterDefinition).register(documentAdapterDefinition).register(mailAdapterDefinition);
}

/** Validate `config` (`{ kind: 'procedure' | 'document' | 'mail', ... }`) and build its adapter. */
export function createAdapter(config: unknown, deps: AdapterDeps = {}): BackendAdapter {
  return createAdapterRegistry().create(config, deps);
}

/** The union of the configs `createAdapter` accepts (input side: defaults may be omitted). */
export type AdapterConfig =
  | ({ kind: 'procedure' } & z.input<typeof ProcedureAdapterConfigSchema>)
  | ({ kind: 'document' } & z.input<typeof DocumentAdapterConfigSchema>)
  | ({ kind: 'mail' } & z.input<typeof MailAdapterConfigSchema>);
