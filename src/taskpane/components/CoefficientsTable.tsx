/**
 * The fixed effects, compact enough for a 320 px pane: name, estimate, standard error, df (with t
 * tests) and p stay visible; the t or z statistic and the 95% interval are shown on demand, on a
 * line under each name, so that the table never needs a sideways scrollbar. Beside the caption,
 * the tests' df method: Satterthwaite (lmerTest's default), Kenward-Roger (pbkrtest), or z tests
 * without df (statsmodels').
 */
import { useId, useState } from "react";
import { Field, makeStyles, Select, Spinner, Switch } from "@fluentui/react-components";
import type { Cell } from "../../report/tables";
import type { PaneCoefTests } from "../../worker/paneJobs";
import { num, pValue } from "../display";
import type { DdfChoice, Job } from "../inferenceState";
import { NoticeBar } from "./NoticeBar";
import { useTableStyles } from "./tables.styles";

export interface CoefRow {
  name: string;
  est: number;
  se: number;
  /** t (with df) or z. */
  stat: number;
  p: number;
  lo: number;
  hi: number;
  df?: number;
}

/** Rows of the fit's own table (report/tables.ts coefTable: z tests). */
export function rowsOfCoefTable(coef: Cell[][]): CoefRow[] {
  return coef.slice(1).map((r) => ({ name: String(r[0]), est: r[1] as number, se: r[2] as number, stat: r[3] as number, p: r[4] as number, lo: r[5] as number, hi: r[6] as number }));
}

/** Rows of the t tests with df (the engine's withDfTests: z holds t). */
export function rowsOfTests(t: PaneCoefTests): CoefRow[] {
  return t.rows.map((f) => ({ name: f.name, est: f.coef, se: f.stdErr, stat: f.z, p: f.p, lo: f.ciLow, hi: f.ciHigh, df: f.df }));
}

const DDF_LABEL: Record<DdfChoice, string> = { satterthwaite: "Satterthwaite df", "kenward-roger": "Kenward-Roger df", z: "z (no df)" };
const DDF_CAPTION: Record<DdfChoice, string> = { satterthwaite: "t tests with Satterthwaite's df", "kenward-roger": "t tests with Kenward-Roger's df", z: "z tests" };

const useStyles = makeStyles({
  head: { display: "flex", flexWrap: "wrap", gap: "4px 12px", alignItems: "center", justifyContent: "space-between" },
  select: { minWidth: "0", maxWidth: "100%" },
});

function Table({ rows, t, caption }: { rows: CoefRow[]; t: boolean; caption: string }) {
  const s = useTableStyles();
  const [details, setDetails] = useState(false);
  const id = useId();
  const noBottom = details ? { borderBottomStyle: "none" as const } : undefined;
  return (
    <div>
      <table className={s.table} aria-labelledby={`${id}-caption`}>
        <caption id={`${id}-caption`} className={s.caption}>{caption}</caption>
        <colgroup>
          <col />
          <col style={{ width: "5.2em" }} />
          <col style={{ width: "4.4em" }} />
          {t ? <col style={{ width: "3.4em" }} /> : null}
          <col style={{ width: "3.9em" }} />
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className={s.th}>Term</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>Estimate</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}><abbr title="Standard error">SE</abbr></th>
            {t ? <th scope="col" className={`${s.th} ${s.thNum}`}><abbr title="Denominator degrees of freedom">df</abbr></th> : null}
            <th scope="col" className={`${s.th} ${s.thNum}`}>p</th>
          </tr>
        </thead>
        <tbody>
          {rows.flatMap((r) => [
            <tr key={r.name}>
              <th scope="row" className={s.td} style={{ fontWeight: "normal", textAlign: "left", ...noBottom }}>{r.name}</th>
              <td className={`${s.td} ${s.num}`} style={noBottom}>{num(r.est)}</td>
              <td className={`${s.td} ${s.num}`} style={noBottom}>{num(r.se)}</td>
              {t ? <td className={`${s.td} ${s.num}`} style={noBottom}>{num(r.df, 1)}</td> : null}
              <td className={`${s.td} ${s.num}`} style={noBottom}>{pValue(r.p)}</td>
            </tr>,
            ...(details
              ? [
                  <tr key={`${r.name}-detail`}>
                    <td colSpan={t ? 5 : 4} className={s.detail}>
                      {t ? "t" : "z"} {num(r.stat, 2)} · 95% CI {num(r.lo)} to {num(r.hi)}
                    </td>
                  </tr>,
                ]
              : []),
          ])}
        </tbody>
      </table>
      <Switch label={`Show ${t ? "t" : "z"} and 95% intervals`} checked={details} onChange={(_, d) => setDetails(d.checked)} />
    </div>
  );
}

export interface CoefficientsTableProps {
  /** The fit's own table (z tests). */
  coef: Cell[][];
  ddf: DdfChoice;
  tests: Job<PaneCoefTests>;
  onDdf: (ddf: DdfChoice) => void;
  /** Why the method cannot change now (results out of date), or null. */
  locked: string | null;
}

export function CoefficientsTable({ coef, ddf, tests, onDdf, locked }: CoefficientsTableProps) {
  const styles = useStyles();
  const withDf = ddf !== "z" && tests.status === "done";
  const rows = withDf ? rowsOfTests(tests.result) : rowsOfCoefTable(coef);
  const shown: DdfChoice = withDf ? ddf : "z";
  return (
    <div>
      <div className={styles.head}>
        <Field label="Tests" orientation="horizontal">
          <Select className={styles.select} value={ddf} disabled={locked !== null} onChange={(_, d) => onDdf(d.value as DdfChoice)}>
            {(["satterthwaite", "kenward-roger", "z"] as const).map((m) => <option key={m} value={m}>{DDF_LABEL[m]}</option>)}
          </Select>
        </Field>
        {ddf !== "z" && tests.status === "running" ? <Spinner size="extra-tiny" label="Computing the df…" /> : null}
      </div>
      {ddf !== "z" && tests.status === "failed" ? <NoticeBar notice={{ intent: "error", title: "No t tests with this method", text: `${tests.error} The table shows z tests.` }} /> : null}
      {ddf !== "z" && tests.status === "running" ? null : <Table rows={rows} t={withDf} caption={`Coefficients (${DDF_CAPTION[shown]})`} />}
    </div>
  );
}
