/**
 * One sheet of the sample workbook, drawn as Excel would show it: a grid of its cells (column
 * letters, row numbers, the tables' fills, fitted widths) with its charts where they stand. Rows
 * are drawn as they scroll into view, so an 861-row sheet opens at once. The data sheet has a
 * Name Box, as Excel's, to select a range for "Use selection".
 */
import { useMemo, useState } from "react";
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, FluentProvider, Input, makeStyles, Text, tokens, webLightTheme } from "@fluentui/react-components";
import { columnLetters, parseAddress } from "../../office/a1";
import type { SheetGrid } from "../../office/sheetGrid";
import { XYPlot } from "./XYPlot";

const ROW_H = 20;
const HEAD_W = 44;
const OVERSCAN = 10;

const useStyles = makeStyles({
  surface: { width: "calc(100vw - 16px)", maxWidth: "none", height: "calc(100vh - 16px)", maxHeight: "none", padding: "12px", boxSizing: "border-box" },
  body: { height: "100%", display: "flex", flexDirection: "column", gap: "8px", minHeight: 0 },
  content: { display: "flex", flexDirection: "column", gap: "6px", minHeight: 0, flexGrow: 1, overflow: "hidden" },
  scroller: { flexGrow: 1, overflow: "auto", position: "relative", border: `1px solid ${tokens.colorNeutralStroke1}`, backgroundColor: "#ffffff", color: "#1f1f1f", minHeight: "120px", ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}` } },
  table: { borderCollapse: "collapse", tableLayout: "fixed", fontSize: "12px", fontFamily: "Calibri, 'Segoe UI', sans-serif" },
  colHead: { position: "sticky", top: 0, zIndex: 3, backgroundColor: "#f3f3f3", border: "1px solid #d4d4d4", height: `${ROW_H}px`, fontWeight: "normal", color: "#444" },
  rowHead: { position: "sticky", left: 0, zIndex: 2, backgroundColor: "#f3f3f3", border: "1px solid #d4d4d4", fontWeight: "normal", color: "#444", textAlign: "center" },
  cell: { border: "1px solid #e6e6e6", height: `${ROW_H - 1}px`, padding: "0 3px", whiteSpace: "nowrap", overflow: "hidden", lineHeight: `${ROW_H - 2}px` },
  selected: { backgroundColor: "#dcefe3" },
  chart: { position: "absolute", zIndex: 1, backgroundColor: "#ffffff", border: "1px solid #bfbfbf", padding: "4px 6px", boxSizing: "border-box", overflow: "hidden" },
  nameBox: { display: "flex", gap: "6px", alignItems: "center", flexWrap: "wrap" },
});

export interface SheetPreviewProps {
  name: string;
  grid: SheetGrid;
  /** The data sheet: the selected range and a way to select another (Excel's Name Box). */
  selection?: { address: string | null; select: (address: string) => string | null };
  onClose: () => void;
}

function NameBox({ selection }: { selection: NonNullable<SheetPreviewProps["selection"]> }) {
  const styles = useStyles();
  const [text, setText] = useState(selection.address ?? "A1");
  const [problem, setProblem] = useState<string | null>(null);
  const go = () => setProblem(selection.select(text.trim()));
  return (
    <div className={styles.nameBox}>
      <Input aria-label="Name Box" value={text} onChange={(_, d) => setText(d.value)} onKeyDown={(e) => { if (e.key === "Enter") go(); }} style={{ width: "120px" }} />
      <Button size="small" onClick={go}>Select range</Button>
      <Text size={200} role="status">{problem ?? (selection.address ? `Selected ${selection.address}` : "Selected A1 (the data around it)")}</Text>
    </div>
  );
}

/** One row of the grid: its number, then its cells as Excel shows them (text spills into empty neighbours). */
function GridRow({ grid, r, inSelection }: { grid: SheetGrid; r: number; inSelection: (r: number, c: number) => boolean }) {
  const styles = useStyles();
  return (
    <tr>
      <th scope="row" className={styles.rowHead}>{r + 1}</th>
      {grid.widths.map((_, c) => {
        const cell = grid.cell(r, c);
        const spill = cell && !cell.numeric && !grid.cell(r, c + 1);
        return (
          <td
            key={c}
            className={`${styles.cell}${inSelection(r, c) ? ` ${styles.selected}` : ""}`}
            style={cell ? { textAlign: cell.numeric ? "right" : "left", fontWeight: cell.bold ? 700 : undefined, fontSize: cell.large ? "16px" : undefined, backgroundColor: cell.fill, overflow: spill ? "visible" : undefined } : undefined}
          >
            {cell?.text}
          </td>
        );
      })}
    </tr>
  );
}

interface CanvasProps {
  name: string;
  grid: SheetGrid;
  /** The rows drawn (the others are spacers of the same height). */
  first: number;
  last: number;
  /** Left edge of each column, row headers first. */
  left: number[];
  inSelection: (r: number, c: number) => boolean;
}

/** The sheet's cells, with its charts where they stand. */
function SheetCanvas({ name, grid, first, last, left, inSelection }: CanvasProps) {
  const styles = useStyles();
  const width = left[left.length - 1];
  const rows = [];
  for (let r = first; r < last; r++) rows.push(<GridRow key={r} grid={grid} r={r} inSelection={inSelection} />);
  return (
    <div style={{ position: "relative", width: `${width}px`, height: `${(grid.rows + 1) * ROW_H}px` }}>
      <table className={styles.table} style={{ width: `${width}px` }} aria-label={name}>
        <colgroup>
          <col style={{ width: `${HEAD_W}px` }} />
          {grid.widths.map((w, c) => <col key={c} style={{ width: `${w}px` }} />)}
        </colgroup>
        <thead>
          <tr>
            <td className={styles.colHead} style={{ left: 0, zIndex: 4 }} />
            {grid.widths.map((_, c) => <th key={c} scope="col" className={styles.colHead}>{columnLetters(c)}</th>)}
          </tr>
        </thead>
        <tbody>
          {first > 0 ? <tr style={{ height: `${first * ROW_H}px` }} aria-hidden="true" /> : null}
          {rows}
          {last < grid.rows ? <tr style={{ height: `${(grid.rows - last) * ROW_H}px` }} aria-hidden="true" /> : null}
        </tbody>
      </table>
      {grid.charts.map((ch) => (
        <div key={ch.spec.id} className={styles.chart} style={{ left: `${left[ch.col]}px`, top: `${(ch.row + 1) * ROW_H}px`, width: `${left[ch.col + ch.cols] - left[ch.col]}px`, height: `${ch.rows * ROW_H}px` }}>
          <XYPlot label={ch.spec.title} xTitle={ch.spec.xTitle} yTitle={ch.spec.yTitle} series={ch.series} height={ch.rows * ROW_H - 48} note={ch.series.length > 1 ? ch.series.map((s) => s.name).join(" · ") : undefined} />
        </div>
      ))}
    </div>
  );
}

export function SheetPreview({ name, grid, selection, onClose }: SheetPreviewProps) {
  const styles = useStyles();
  const [view, setView] = useState({ top: 0, height: 600 });
  const left = useMemo(() => grid.widths.reduce((acc, w) => [...acc, acc[acc.length - 1] + w], [HEAD_W]), [grid]);
  const first = Math.max(0, Math.floor(view.top / ROW_H) - OVERSCAN);
  const last = Math.min(grid.rows, Math.ceil((view.top + view.height) / ROW_H) + OVERSCAN);
  const sel = selection?.address ? parseAddress(selection.address) : null;
  const inSelection = (r: number, c: number) => sel !== null && r >= sel.row && r < sel.row + sel.rows && c >= sel.col && c < sel.col + sel.cols;
  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => { if (!d.open) onClose(); }}>
      <DialogSurface className={styles.surface} aria-label={`Sheet ${name}`}>
        <DialogBody className={styles.body}>
          <DialogTitle>{name}</DialogTitle>
          <DialogContent className={styles.content}>
            {selection ? <NameBox selection={selection} /> : null}
            <div className={styles.scroller} tabIndex={0} role="region" aria-label={`Cells of ${name}`} onScroll={(e) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}>
              {/* a sheet is white whatever the pane's theme, as in Excel */}
              <FluentProvider theme={webLightTheme} style={{ backgroundColor: "transparent" }}>
                <SheetCanvas name={name} grid={grid} first={first} last={last} left={left} inSelection={inSelection} />
              </FluentProvider>
            </div>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onClose}>Close</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
