import type { VerificationKey, VerificationKeySource } from '../keys/key-provider.js';
import { TokenRejectedError } from './rejection.js';

export interface KeyRingOptions {
  /** Minimum time between two reloads caused by an unknown `kid`, in milliseconds. */
  readonly reloadCooldownMs: number;
  readonly now: () => number;
}

/**
 * The verification keys by `kid`, built once per key set the source returns. The source
 * caches its keys, so a lookup with warm caches reads nothing from the network or the store.
 * An unknown `kid` makes the source reload at most once per cooldown, however many requests
 * carry it; concurrent requests share that one reload.
 */
export class KeyRing {
  private loadedFrom: readonly VerificationKey[] | undefined;
  private byKid = new Map<string, VerificationKey>();
  private lastReload = Number.NEGATIVE_INFINITY;
  private reloading: Promise<void> | undefined;

  constructor(
    private readonly source: VerificationKeySource,
    private readonly options: KeyRingOptions,
  ) {}

  /** Returns the key with this `kid`, or undefined when it is unknown even after an allowed reload. */
  async find(kid: string): Promise<VerificationKey | undefined> {
    const known = (await this.current()).get(kid);
    if (known !== undefined) return known;

    if (this.reloading === undefined) {
      if (this.options.now() - this.lastReload < this.options.reloadCooldownMs) return undefined;
      this.lastReload = this.options.now();
      this.reloading = this.reload().finally(() => {
        this.reloading = undefined;
      });
    }
    await this.reloading;
    return this.byKid.get(kid);
  }

  /** True when `key` is still the key the source publishes under its `kid`. */
  async isCurrent(key: VerificationKey): Promise<boolean> {
    return (await this.current()).get(key.kid) === key;
  }

  private async reload(): Promise<void> {
    this.source.invalidate();
    await this.current();
  }

  private async current(): Promise<ReadonlyMap<string, VerificationKey>> {
    let keys: readonly VerificationKey[];
    try {
      keys = await this.source.getVerificationKeys();
    } catch (error) {
      throw new TokenRejectedError('key_load_failed', 'the verification keys could not be loaded', { cause: error });
    }
    // Sources return the same keys while their cache is warm, so the map is rebuilt only after a reload.
    if (!sameKeys(keys, this.loadedFrom)) {
      this.byKid = new Map(keys.map((key) => [key.kid, key]));
      this.loadedFrom = keys;
    }
    return this.byKid;
  }
}

function sameKeys(keys: readonly VerificationKey[], previous: readonly VerificationKey[] | undefined): boolean {
  if (keys === previous) return true;
  return previous !== undefined && keys.length === previous.length && keys.every((key, index) => key === previous[index]);
}
