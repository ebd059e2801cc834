import { DomainError, ErrorCode } from '../errors.js';

/**
 * Which token an operation presents to plugins. The original forwarded the caller's token; so do we, holding it in
 * memory (never in the database) for the operations this process started. An operation resumed elsewhere (another
 * replica, or after a restart) uses the configured service token, or the embedded default's minted one; without
 * either it cannot act for anybody and waits in FAILED_TEMP until a user retries it with their own token.
 */
export class AccessTokens {
  private readonly byOperation = new Map<string, string>();

  constructor(
    private readonly fallback: () => Promise<string | undefined>,
    /** Whether `fallback` can give a token (a service token is configured, or one can be minted). */
    readonly hasFallback: boolean,
  ) {}

  /** The operations this process holds its caller's token for. */
  heldIds(): string[] {
    return [...this.byOperation.keys()];
  }

  remember(operationId: string, token: string): void {
    if (token) this.byOperation.set(operationId, token);
  }

  forget(operationId: string): void {
    this.byOperation.delete(operationId);
  }

  async forOperation(operationId: string): Promise<string> {
    const held = this.byOperation.get(operationId);
    if (held) return held;
    const fallback = await this.fallback();
    if (fallback) return fallback;
    throw new DomainError(
      ErrorCode.UNAUTHENTICATED,
      'this operation was resumed by a server that holds no access token for it; retry it (your token is then used) or configure APPLCM_PLUGIN_ACCESS_TOKEN',
      { reason: 'NO_TOKEN_TO_RESUME' },
    );
  }
}
