// The k smallest (label, distance) pairs of a stream: what an exact scan keeps.
/** The k smallest (label, distance) pairs of a stream: a bounded max-heap, so a scan stays O(n log k). */
export class TopK {
  private readonly labels: number[] = [];
  private readonly distances: number[] = [];
  constructor(private readonly k: number) {}

  offer(label: number, distance: number): void {
    const { labels, distances } = this;
    if (labels.length < this.k) {
      labels.push(label);
      distances.push(distance);
      let i = labels.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (distances[parent]! >= distances[i]!) break;
        this.swap(i, parent);
        i = parent;
      }
    } else if (this.k > 0 && distance < distances[0]!) {
      labels[0] = label;
      distances[0] = distance;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let largest = i;
        if (l < labels.length && distances[l]! > distances[largest]!) largest = l;
        if (r < labels.length && distances[r]! > distances[largest]!) largest = r;
        if (largest === i) break;
        this.swap(i, largest);
        i = largest;
      }
    }
  }

  sorted(): [number, number][] {
    return this.labels.map((label, i): [number, number] => [label, this.distances[i]!]).sort((a, b) => a[1] - b[1]);
  }

  private swap(i: number, j: number): void {
    const { labels, distances } = this;
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
    [distances[i], distances[j]] = [distances[j]!, distances[i]!];
  }
}
