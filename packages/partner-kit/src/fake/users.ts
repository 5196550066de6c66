/** The partner-side accounts of a fake (ids as the partner spells them). */
export class FakeUsers {
  private readonly ids = new Set<string>();
  private counter = 0;
  constructor(private readonly newId: (n: number) => string = (n) => String(10_000 + n)) {}

  /** Create a user (or make sure this one exists); returns its id. */
  create(id?: string): string {
    let chosen = id;
    while (chosen === undefined || (id === undefined && this.ids.has(chosen)))
      chosen = this.newId(++this.counter);
    this.ids.add(chosen);
    return chosen;
  }

  /** A fresh id for a consent page to suggest; registered only when used. */
  suggest(): string {
    let id = this.newId(++this.counter);
    while (this.ids.has(id)) id = this.newId(++this.counter);
    return id;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  list(): string[] {
    return [...this.ids];
  }
}
