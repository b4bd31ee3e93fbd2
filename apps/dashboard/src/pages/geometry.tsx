// Geometry: a uniform sample of the collection drawn in 2-D on a canvas (Poincaré disk for hyperboloid, PCA
// otherwise); hover shows a point's metadata, click (or Enter) searches its nearest neighbours.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { Loading, Problem, useLoad } from '../ui.js';
import { excerpt } from '../format.js';

interface Point {
  id: string;
  x: number;
  y: number;
  metadata: Record<string, unknown>;
}

/** GET /v1/vectors/map: the server samples and projects (vectors would be ~500 MB of JSON at 100k × 256-d). */
interface VectorMap {
  geometry: 'euclidean' | 'spherical' | 'hyperboloid';
  dimension: number;
  total: number;
  sample: string;
  projection: 'poincare-disk' | 'pca';
  kept: [number, number];
  points: Point[];
}

interface Hit {
  id: string;
  distance: number;
  score: number;
  metadata: Record<string, unknown>;
}

const SIZES = [1_000, 5_000, 20_000, 100_000];
const PALETTE = [0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac];
const SIZE_PX = 640;

/** Where each point lands on the canvas, and a grid of cells to find the point under the pointer fast. */
interface Layout {
  px: Float32Array;
  cell: number;
  grid: Map<number, number[]>;
}

function layout(points: Point[], disk: boolean, size: number): Layout {
  const n = points.length;
  let scale: number;
  let cx = 0;
  let cy = 0;
  if (disk) scale = size / 2 - 8;
  else {
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const p = points[i]!;
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y);
      maxY = Math.max(maxY, p.y);
    }
    cx = (minX + maxX) / 2;
    cy = (minY + maxY) / 2;
    scale = (size / 2 - 8) / Math.max((maxX - minX) / 2, (maxY - minY) / 2, 1e-12);
  }
  const px = new Float32Array(2 * n);
  const cell = 8;
  const grid = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const x = size / 2 + (points[i]!.x - cx) * scale;
    const y = size / 2 - (points[i]!.y - cy) * scale;
    px[2 * i] = x;
    px[2 * i + 1] = y;
    const key = Math.floor(x / cell) * 4096 + Math.floor(y / cell);
    const list = grid.get(key);
    if (list) list.push(i);
    else grid.set(key, [i]);
  }
  return { px, cell, grid };
}

function nearestAt(l: Layout, x: number, y: number, radius = 6): number | undefined {
  let best: number | undefined;
  let bestD = radius * radius;
  const gx = Math.floor(x / l.cell);
  const gy = Math.floor(y / l.cell);
  for (let i = gx - 1; i <= gx + 1; i++)
    for (let j = gy - 1; j <= gy + 1; j++)
      for (const k of l.grid.get(i * 4096 + j) ?? []) {
        const d = (l.px[2 * k]! - x) ** 2 + (l.px[2 * k + 1]! - y) ** 2;
        if (d <= bestD) {
          bestD = d;
          best = k;
        }
      }
  return best;
}

/** Draws every point as a 2×2 pixel block into one ImageData (far faster than a path per point at 100k). */
function draw(canvas: HTMLCanvasElement, l: Layout, disk: boolean, colours: Uint32Array, marked: Set<number>, focus?: number): number {
  const t0 = performance.now();
  const ctx = canvas.getContext('2d')!;
  const size = canvas.width;
  const image = ctx.createImageData(size, size);
  const pixels = new Uint32Array(image.data.buffer);
  pixels.fill(0xffffffff);
  const n = l.px.length / 2;
  for (let i = 0; i < n; i++) {
    const x = l.px[2 * i]! | 0;
    const y = l.px[2 * i + 1]! | 0;
    if (x < 0 || y < 0 || x >= size - 1 || y >= size - 1) continue;
    const c = colours[i]!;
    const o = y * size + x;
    pixels[o] = c;
    pixels[o + 1] = c;
    pixels[o + size] = c;
    pixels[o + size + 1] = c;
  }
  ctx.putImageData(image, 0, 0);
  if (disk) {
    ctx.strokeStyle = '#555';
    ctx.beginPath();
    ctx.arc(size / 2, size / 2, size / 2 - 8, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.strokeStyle = '#000';
  for (const i of marked) {
    ctx.beginPath();
    ctx.arc(l.px[2 * i]!, l.px[2 * i + 1]!, 5, 0, 2 * Math.PI);
    ctx.stroke();
  }
  if (focus !== undefined) {
    ctx.strokeStyle = '#d00';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(l.px[2 * focus]!, l.px[2 * focus + 1]!, 8, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.lineWidth = 1;
  }
  return performance.now() - t0;
}

/** ABGR (little-endian ImageData) colour per point, by the value of one metadata key. */
function coloursOf(points: Point[], key: string): { colours: Uint32Array; legend: [string, string][] } {
  const index = new Map<string, number>();
  const colours = new Uint32Array(points.length);
  points.forEach((p, i) => {
    const v = key ? JSON.stringify(p.metadata[key] ?? null) : '';
    let k = index.get(v);
    if (k === undefined) index.set(v, (k = index.size));
    const rgb = PALETTE[k % PALETTE.length]!;
    colours[i] = 0xff000000 | ((rgb & 0xff) << 16) | (rgb & 0xff00) | (rgb >> 16);
  });
  const legend = [...index.keys()]
    .slice(0, PALETTE.length)
    .map((v, i) => [v, `#${PALETTE[i]!.toString(16).padStart(6, '0')}`] as [string, string]);
  return { colours, legend };
}

export function GeometryPage() {
  const [limit, setLimit] = useState(5_000);
  const sample = useLoad((signal) => get<VectorMap>(`/v1/vectors/map?limit=${limit}`, signal), [limit]);
  const [colourKey, setColourKey] = useState('');
  const [hover, setHover] = useState<number>();
  const [focus, setFocus] = useState<number>();
  const [neighbours, setNeighbours] = useState<Hit[]>();
  const [error, setError] = useState<Error>();
  const [frameMs, setFrameMs] = useState<number>();
  const canvas = useRef<HTMLCanvasElement>(null);

  const points = sample.data?.points ?? [];
  const disk = sample.data?.projection === 'poincare-disk';
  const lay = useMemo(() => (points.length > 0 ? layout(points, disk, SIZE_PX) : undefined), [sample.data]);
  const keys = useMemo(() => [...new Set(points.slice(0, 1000).flatMap((p) => Object.keys(p.metadata)))].sort(), [sample.data]);
  const { colours, legend } = useMemo(() => coloursOf(points, colourKey), [sample.data, colourKey]);
  const marked = useMemo(() => {
    const ids = new Set(neighbours?.map((h) => h.id));
    const out = new Set<number>();
    points.forEach((p, i) => ids.has(p.id) && out.add(i));
    return out;
  }, [neighbours, sample.data]);

  useEffect(() => {
    if (!canvas.current || !lay) return;
    setFrameMs(draw(canvas.current, lay, disk, colours, marked, focus ?? hover));
  }, [lay, colours, marked, focus, hover]);

  const searchFrom = async (i: number) => {
    setFocus(i);
    setError(undefined);
    try {
      const { vector } = await get<{ vector: number[] }>(`/v1/vectors/${encodeURIComponent(points[i]!.id)}`);
      const r = await post<{ results: Hit[] }>('/v1/vectors/search', { vector, k: 10 });
      setNeighbours(r.results);
    } catch (err) {
      setError(err as Error);
    }
  };
  const at = (e: MouseEvent) => {
    const r = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    return lay ? nearestAt(lay, ((e.clientX - r.left) * SIZE_PX) / r.width, ((e.clientY - r.top) * SIZE_PX) / r.height) : undefined;
  };
  const shownPoint = hover ?? focus;
  const data = sample.data;

  return (
    <>
      <h1 tabIndex={-1}>Geometry</h1>
      <section class="card" aria-labelledby="map-title">
        <h2 id="map-title">The collection in 2-D</h2>
        {data && (
          <p id="map-method">
            {data.projection === 'poincare-disk'
              ? 'Hyperboloid collection, drawn in the Poincaré disk: each point’s Poincaré-ball image, rotated so that the first two coordinates keep the most second moment about the origin, and projected onto them (exact: every point stays inside the disk).'
              : `${data.geometry === 'spherical' ? 'Spherical collection (unit vectors)' : 'Euclidean collection'}, drawn by PCA: the two principal components of the centred sample.`}{' '}
            {data.points.length > 0 && (
              <>
                The axes keep {(100 * data.kept[0]).toFixed(1)}% and {(100 * data.kept[1]).toFixed(1)}% of it.{' '}
              </>
            )}
            Showing a uniform random sample of {data.points.length.toLocaleString()} of {data.total.toLocaleString()} vectors (
            {data.dimension}-d).
          </p>
        )}
        <div class="filters">
          <label>
            Sample size{' '}
            <select value={limit} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
              {SIZES.map((s) => (
                <option key={s} value={s}>
                  {s.toLocaleString()}
                </option>
              ))}
            </select>
          </label>
          <label>
            Colour by{' '}
            <select value={colourKey} onChange={(e) => setColourKey(e.currentTarget.value)}>
              <option value="">(none)</option>
              {keys.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          {frameMs !== undefined && (
            <span class="pill" data-testid="frame-ms" data-frame-ms={frameMs.toFixed(2)}>
              frame {frameMs.toFixed(1)} ms
            </span>
          )}
        </div>
        <Problem error={sample.error ?? error} />
        <Loading when={sample.loading} />
        {data && data.points.length === 0 && <p>The collection is empty.</p>}
        <div class="map">
          <canvas
            ref={canvas}
            width={SIZE_PX}
            height={SIZE_PX}
            tabIndex={0}
            role="img"
            aria-label="Map of the sampled vectors. Arrow keys move between points, Enter searches the neighbours of the chosen point."
            aria-describedby="map-method"
            onMouseMove={(e) => setHover(at(e))}
            onMouseLeave={() => setHover(undefined)}
            onClick={(e) => {
              const i = at(e);
              if (i !== undefined) void searchFrom(i);
            }}
            onKeyDown={(e) => {
              if (points.length === 0) return;
              if (e.key === 'ArrowRight' || e.key === 'ArrowDown') setFocus(((focus ?? -1) + 1) % points.length);
              else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') setFocus(((focus ?? 0) - 1 + points.length) % points.length);
              else if (e.key === 'Enter' && focus !== undefined) void searchFrom(focus);
              else return;
              e.preventDefault();
            }}
          />
          <aside aria-label="Point details">
            <div aria-live="polite" class="tooltip">
              {shownPoint !== undefined && points[shownPoint] ? (
                <>
                  <strong>{points[shownPoint].id}</strong>
                  <pre>{JSON.stringify(points[shownPoint].metadata, null, 2)}</pre>
                </>
              ) : (
                <p>Hover a point for its metadata; click it for its neighbours.</p>
              )}
            </div>
            {legend.length > 1 && (
              <ul class="legend" aria-label={`Colours by ${colourKey}`}>
                {legend.map(([v, c]) => (
                  <li key={v}>
                    <span class="swatch" style={{ background: c }} /> {v}
                  </li>
                ))}
              </ul>
            )}
          </aside>
        </div>
      </section>
      {neighbours && focus !== undefined && (
        <section class="card" aria-labelledby="nn-title">
          <h2 id="nn-title">Nearest neighbours of {points[focus]?.id}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Distance</th>
                <th scope="col">Score</th>
                <th scope="col">Metadata</th>
              </tr>
            </thead>
            <tbody>
              {neighbours.map((h) => (
                <tr key={h.id}>
                  <td>
                    <code>{h.id}</code>
                  </td>
                  <td class="num">{h.distance.toFixed(4)}</td>
                  <td class="num">{h.score.toFixed(4)}</td>
                  <td>{excerpt(h.metadata)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
