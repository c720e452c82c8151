/**
 * A scatter plot drawn as SVG, sized to its container: points, interval bars, dashes and lines,
 * axes with nice ticks. The SVG is an image named by `label` (role="img"); the plot around it
 * takes focus, and then the arrow keys (or the pointer) pick a point whose row and values are
 * read out below it. Draws what it is given: the numbers come from the worker.
 */
import { KeyboardEvent, PointerEvent, useEffect, useMemo, useRef, useState } from "react";
import { makeStyles, tokens } from "@fluentui/react-components";
import { linearScale, tickLabel } from "./scale";

export interface PlotSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  style: "markers" | "dash" | "line";
  /** An interval around each point, drawn as a vertical bar. */
  low?: readonly number[] | null;
  high?: readonly number[] | null;
}

export interface XYPlotProps {
  /** The plot's accessible name, e.g. "Residuals against fitted values". */
  label: string;
  xTitle: string;
  yTitle: string;
  series: PlotSeries[];
  /** A horizontal reference line (y = 0 for residuals). */
  hLine?: number;
  /** The readout of point i of the first series; the plot is interactive when given. */
  describe?: (i: number) => string;
  height?: number;
  /** A note under the plot, e.g. "2,000 of 100,000 points shown". */
  note?: string;
}

const useStyles = makeStyles({
  figure: { margin: 0, display: "flex", flexDirection: "column", gap: "2px", minWidth: 0 },
  plot: {
    borderRadius: tokens.borderRadiusMedium,
    outlineStyle: "none",
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: "2px" },
  },
  readout: { minHeight: "1.4em", fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground2, fontVariantNumeric: "tabular-nums", overflowWrap: "anywhere" },
  caption: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
});

/** The width of an element, kept up to date (0 before it is laid out). */
function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    setW(el.clientWidth);
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setW(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

const M = { left: 46, right: 10, top: 8, bottom: 36 };

type Scale = ReturnType<typeof linearScale>;
const TEXT = { fill: tokens.colorNeutralForeground2, fontSize: 11 };
const COLORS = [tokens.colorBrandForeground1, tokens.colorPaletteRedForeground1, tokens.colorPaletteRedForeground1, tokens.colorNeutralForeground3];

/** Grid lines, tick labels, axis lines and titles, and the reference line. */
function Axes({ sx, sy, w, height, xTitle, yTitle, hLine }: { sx: Scale; sy: Scale; w: number; height: number; xTitle: string; yTitle: string; hLine?: number }) {
  const axis = { stroke: tokens.colorNeutralStroke1, strokeWidth: 1 };
  return (
    <>
      {sy.ticks.map((t) => (
        <g key={`y${t}`}>
          <line x1={M.left} x2={w - M.right} y1={sy(t)} y2={sy(t)} style={{ stroke: tokens.colorNeutralStroke3 }} />
          <text x={M.left - 4} y={sy(t) + 4} textAnchor="end" style={TEXT}>{tickLabel(t, sy.ticks)}</text>
        </g>
      ))}
      {sx.ticks.map((t) => (
        <text key={`x${t}`} x={sx(t)} y={height - M.bottom + 14} textAnchor="middle" style={TEXT}>{tickLabel(t, sx.ticks)}</text>
      ))}
      <line x1={M.left} x2={w - M.right} y1={height - M.bottom} y2={height - M.bottom} style={axis} />
      <line x1={M.left} x2={M.left} y1={M.top} y2={height - M.bottom} style={axis} />
      {hLine !== undefined ? <line x1={M.left} x2={w - M.right} y1={sy(hLine)} y2={sy(hLine)} style={{ stroke: tokens.colorNeutralForeground3, strokeDasharray: "4 3" }} /> : null}
      <text x={(M.left + w - M.right) / 2} y={height - 4} textAnchor="middle" style={TEXT}>{xTitle}</text>
      <text transform={`translate(12 ${(M.top + height - M.bottom) / 2}) rotate(-90)`} textAnchor="middle" style={TEXT}>{yTitle}</text>
    </>
  );
}

/** The series: lines, interval bars, dashes, points. */
function Marks({ series, sx, sy }: { series: PlotSeries[]; sx: Scale; sy: Scale }) {
  return (
    <>
      {series.map((s, k) => (
        <g key={s.name} style={{ stroke: COLORS[k % COLORS.length], fill: COLORS[k % COLORS.length] }}>
          {s.style === "line" ? <polyline points={s.x.map((v, i) => `${sx(v)},${sy(s.y[i])}`).join(" ")} style={{ fill: "none", strokeWidth: 1.2 }} /> : null}
          {s.low && s.high ? s.x.map((v, i) => <line key={`i${i}`} x1={sx(v)} x2={sx(v)} y1={sy(s.low![i])} y2={sy(s.high![i])} style={{ strokeOpacity: 0.45 }} />) : null}
          {s.style === "dash" ? s.x.map((v, i) => <line key={i} x1={sx(v) - 3} x2={sx(v) + 3} y1={sy(s.y[i])} y2={sy(s.y[i])} />) : null}
          {s.style === "markers" ? s.x.map((v, i) => <circle key={i} cx={sx(v)} cy={sy(s.y[i])} r={2.2} style={{ fillOpacity: 0.55, strokeWidth: 0 }} />) : null}
        </g>
      ))}
    </>
  );
}

/** Scales of the plot's box for all its series' values (and the horizontal line, if any). */
function usePlotScales(series: XYPlotProps["series"], w: number, height: number, hLine: number | undefined) {
  return useMemo(() => {
    const xs = series.flatMap((s) => s.x as number[]);
    const ys = series.flatMap((s) => [...s.y, ...(s.low ?? []), ...(s.high ?? [])]);
    return {
      x: linearScale(xs, M.left, w - M.right, Math.max(2, Math.floor((w - M.left) / 60))),
      y: linearScale(ys, height - M.bottom, M.top, 5, hLine !== undefined ? [hLine] : []),
    };
  }, [series, w, height, hLine]);
}

/**
 * Which point of the main series is being read: moved by the arrow keys (in order of x; Page
 * keys by ten, Home/End to the ends, Escape to none) or by the pointer (the nearest point within
 * 24 px).
 */
function usePointReading(main: XYPlotProps["series"][number] | undefined, scales: ReturnType<typeof usePlotScales>, interactive: boolean) {
  const [active, setActive] = useState<number | null>(null);
  const order = useMemo(() => (main ? Array.from(main.x, (_, i) => i).sort((a, b) => main.x[a] - main.x[b]) : []), [main]);
  const onKey = (e: KeyboardEvent) => {
    if (!interactive) return;
    const pos = active === null ? -1 : order.indexOf(active);
    const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 }[e.key];
    let next: number | null = null;
    if (step !== undefined) next = order[Math.max(0, Math.min(order.length - 1, pos < 0 ? 0 : pos + step))];
    else if (e.key === "Home") next = order[0];
    else if (e.key === "End") next = order[order.length - 1];
    else if (e.key === "Escape") { setActive(null); return; }
    if (next !== null && next !== undefined) { e.preventDefault(); setActive(next); }
  };
  const onPointer = (e: PointerEvent<SVGSVGElement>) => {
    if (!interactive || !main) return;
    const box = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - box.left;
    const py = e.clientY - box.top;
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < main.x.length; i++) {
      const d = (scales.x(main.x[i]) - px) ** 2 + (scales.y(main.y[i]) - py) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    }
    setActive(bestD <= 24 * 24 ? best : null);
  };
  const onFocus = () => { if (interactive && active === null) setActive(order[0]); };
  return { active, setActive, onKey, onPointer, onFocus };
}

export function XYPlot({ label, xTitle, yTitle, series, hLine, describe, height = 220, note }: XYPlotProps) {
  const styles = useStyles();
  const [ref, width] = useWidth();
  const main = series[0];
  const w = Math.max(160, width);
  const scales = usePlotScales(series, w, height, hLine);
  const interactive = describe !== undefined && main !== undefined && main.x.length > 0;
  const { active, setActive, onKey, onPointer, onFocus } = usePointReading(main, scales, interactive);
  const { x: sx, y: sy } = scales;
  return (
    <figure className={styles.figure}>
      <figcaption className={styles.caption}>{label}</figcaption>
      <div
        ref={ref}
        className={styles.plot}
        tabIndex={interactive ? 0 : undefined}
        role={interactive ? "group" : undefined}
        aria-label={interactive ? `${label}: arrow keys move from point to point` : undefined}
        onKeyDown={onKey}
        onFocus={onFocus}
      >
        <svg role="img" aria-label={label} width={w} height={height} onPointerMove={onPointer} onPointerLeave={() => setActive(null)} style={{ display: "block", maxWidth: "100%" }}>
          <Axes sx={sx} sy={sy} w={w} height={height} xTitle={xTitle} yTitle={yTitle} hLine={hLine} />
          <Marks series={series} sx={sx} sy={sy} />
          {interactive && active !== null ? (
            <circle cx={sx(main.x[active])} cy={sy(main.y[active])} r={5} style={{ fill: "none", stroke: tokens.colorNeutralForeground1, strokeWidth: 2 }} />
          ) : null}
        </svg>
      </div>
      {interactive ? (
        <div className={styles.readout} aria-live="polite">
          {active !== null ? describe!(active) : "Hover over a point, or focus the plot and use the arrow keys, to read it."}
        </div>
      ) : null}
      {note ? <div className={styles.readout}>{note}</div> : null}
    </figure>
  );
}
