/**
 * Parameters of an `application/x-www-form-urlencoded` request body, each present at most once.
 * Following RFC 6749 section 3.1, a parameter sent without a value reads as absent.
 */
export class FormParameters {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  get(name: string): string | undefined {
    const value = this.values.get(name);
    return value === undefined || value === '' ? undefined : value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  static from(entries: Record<string, string>): FormParameters {
    return new FormParameters(new Map(Object.entries(entries)));
  }
}
