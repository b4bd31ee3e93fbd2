// A BM25 index of text documents (MiniSearch's BM25+, no prefix or fuzzy matching), each with a JSON object of fields
// kept beside it for filtering; serialisable whole for a checkpoint.
import MiniSearch from 'minisearch';

export interface TextDocument {
  id: string;
  text: string;
  /** Kept with the document and handed to search filters (metadata, scope): not indexed. */
  fields?: Record<string, unknown>;
}

export interface TextHit {
  id: string;
  /** BM25 score: higher is better; comparable only within one search. */
  score: number;
  fields: Record<string, unknown>;
}

export interface TextSearchOptions {
  /** Most hits returned (default 10). */
  k?: number;
  /** Only documents whose fields pass (applied before the top k is cut). */
  filter?: (fields: Record<string, unknown>, id: string) => boolean;
}

/** Words too common to tell documents apart: dropped from documents and queries alike. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for from has have he her his i in is it its of on or she so that the their them ' +
    'there they this to was were what when which who will with you your'
  ).split(' '),
);

/** Lower-cased words of letters and digits (`s3cret`, `NATS`, `counter`, `1`); stop words dropped. */
function processTerm(term: string): string | null {
  const t = term.toLowerCase();
  return t.length === 0 || STOP_WORDS.has(t) ? null : t;
}

/** Splits on anything that is not a letter, a digit or an underscore (so JSON punctuation separates its words). */
const tokenize = (text: string): string[] => text.split(/[^\p{L}\p{N}_]+/u);

const OPTIONS = {
  idField: 'id',
  fields: ['text'],
  storeFields: ['fields'],
  processTerm,
  tokenize,
  searchOptions: { prefix: false, fuzzy: false, combineWith: 'OR' as const },
};

type Stored = { id: string; text: string; fields: Record<string, unknown> };

export class FullTextIndex {
  private constructor(private readonly mini: MiniSearch<Stored>) {}

  static empty(): FullTextIndex {
    return new FullTextIndex(new MiniSearch<Stored>(OPTIONS));
  }

  /** An index from its `toJSON()` text. */
  static fromJSON(json: string): FullTextIndex {
    return new FullTextIndex(MiniSearch.loadJSON<Stored>(json, OPTIONS));
  }

  get size(): number {
    return this.mini.documentCount;
  }

  has(id: string): boolean {
    return this.mini.has(id);
  }

  /** The fields stored with a document, or undefined. */
  fieldsOf(id: string): Record<string, unknown> | undefined {
    return (this.mini.getStoredFields(id) as { fields?: Record<string, unknown> } | undefined)?.fields;
  }

  /** Adds a document, or replaces the one with its id. */
  upsert(doc: TextDocument): void {
    if (this.mini.has(doc.id)) this.mini.discard(doc.id);
    this.mini.add({ id: doc.id, text: doc.text, fields: doc.fields ?? {} });
  }

  /** Removes a document; false when there was none. */
  remove(id: string): boolean {
    if (!this.mini.has(id)) return false;
    this.mini.discard(id);
    return true;
  }

  /** Documents matching any word of `query`, best BM25 score first. */
  search(query: string, options: TextSearchOptions = {}): TextHit[] {
    const k = options.k ?? 10;
    const filter = options.filter;
    const hits = this.mini.search(
      query,
      filter ? { filter: (r) => filter((r['fields'] ?? {}) as Record<string, unknown>, r.id as string) } : {},
    );
    return hits.slice(0, k).map((r) => ({ id: r.id as string, score: r.score, fields: (r['fields'] ?? {}) as Record<string, unknown> }));
  }

  toJSON(): string {
    return JSON.stringify(this.mini);
  }
}
