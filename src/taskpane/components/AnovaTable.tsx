/**
 * lmerTest's ANOVA table of the fixed-effect terms (a categorical term tested as a whole), with
 * the type chosen beside it (III by default, as lmerTest). Compact for a 320 px pane: term, F, its
 * two df and p; the sums of squares on demand, on a line under each term.
 */
import { useId, useState } from "react";
import { Field, makeStyles, Select, Spinner, Switch, Text, tokens } from "@fluentui/react-components";
import type { AnovaType } from "../../engine";
import type { PaneAnova } from "../../worker/paneJobs";
import { sumOfSquares } from "../../report/lmerTestTables";
import { num, pValue } from "../display";
import type { Job } from "../inferenceState";
import { NoticeBar } from "./NoticeBar";
import { useTableStyles } from "./tables.styles";

const useStyles = makeStyles({
  head: { display: "flex", flexWrap: "wrap", gap: "4px 12px", alignItems: "center" },
  small: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
});

const ROMAN = ["", "I", "II", "III"] as const;

/** A sum of squares, or its text where it is past the range of doubles (a response × 1e±160: lmerTestTables.ts). */
function sumOfSquaresText(r: PaneAnova["table"]["rows"][number], which: "sumSq" | "meanSq"): string {
  const v = sumOfSquares(r, which, 2);
  return typeof v === "string" ? v : num(v, 2);
}

function Table({ anova }: { anova: PaneAnova }) {
  const s = useTableStyles();
  const styles = useStyles();
  const [details, setDetails] = useState(false);
  const id = useId();
  const rows = anova.table.rows;
  if (rows.length === 0) return <Text size={200} className={styles.small}>The model has no fixed-effect term to test (the intercept only).</Text>;
  const noBottom = details ? { borderBottomStyle: "none" as const } : undefined;
  return (
    <div>
      <table className={s.table} aria-labelledby={`${id}-caption`}>
        <caption id={`${id}-caption`} className={s.caption}>{anova.title}</caption>
        <colgroup>
          <col />
          <col style={{ width: "4.8em" }} />
          <col style={{ width: "5.2em" }} />
          <col style={{ width: "3.9em" }} />
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className={s.th}>Term</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>F</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}><abbr title="Numerator and denominator degrees of freedom">df</abbr></th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>p</th>
          </tr>
        </thead>
        <tbody>
          {rows.flatMap((r) => [
            <tr key={r.term}>
              <th scope="row" className={s.td} style={{ fontWeight: "normal", textAlign: "left", ...noBottom }}>{r.term}</th>
              <td className={`${s.td} ${s.num}`} style={noBottom}>{num(r.F, r.F >= 1000 ? 1 : 2)}</td>
              <td className={`${s.td} ${s.num}`} style={noBottom}>{`${num(r.numDF, 0)}, ${num(r.denDF, 1)}`}</td>
              <td className={`${s.td} ${s.num}`} style={noBottom}>{pValue(r.p)}</td>
            </tr>,
            ...(details
              ? [
                  <tr key={`${r.term}-detail`}>
                    <td colSpan={4} className={s.detail}>Sum Sq {sumOfSquaresText(r, "sumSq")} · Mean Sq {sumOfSquaresText(r, "meanSq")}</td>
                  </tr>,
                ]
              : []),
          ])}
        </tbody>
      </table>
      <Switch label="Show sums of squares" checked={details} onChange={(_, d) => setDetails(d.checked)} />
    </div>
  );
}

export interface AnovaTableProps {
  type: AnovaType;
  job: Job<PaneAnova>;
  onType: (t: AnovaType) => void;
  locked: string | null;
}

export function AnovaTable({ type, job, onType, locked }: AnovaTableProps) {
  const styles = useStyles();
  return (
    <div>
      <div className={styles.head}>
        <Field label="ANOVA" orientation="horizontal">
          <Select value={String(type)} disabled={locked !== null} onChange={(_, d) => onType(Number(d.value) as AnovaType)}>
            {([1, 2, 3] as const).map((t) => <option key={t} value={t}>{`Type ${ROMAN[t]}`}</option>)}
          </Select>
        </Field>
        {job.status === "running" ? <Spinner size="extra-tiny" label="Computing the ANOVA table…" /> : null}
      </div>
      {job.status === "done" ? <Table anova={job.result} /> : null}
      {job.status === "failed" ? <NoticeBar notice={{ intent: "error", title: "No ANOVA table", text: job.error }} /> : null}
    </div>
  );
}
