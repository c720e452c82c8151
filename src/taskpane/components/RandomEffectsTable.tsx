/** The random effects in plain words: each variance ("Pig: (Intercept)") with its SD, then covariances with their correlations. */
import { ReactNode, useId } from "react";
import type { RandomEffectsSummary } from "../../report/randomEffects";
import { num } from "../display";
import { useTableStyles } from "./tables.styles";

export function RandomEffectsTable({ re }: { re: RandomEffectsSummary }) {
  const variances = [...re.variances, { label: "Residual", variance: re.residual.variance, sd: re.residual.sd }];
  return (
    <div>
      <LabelledPairs
        caption="Random effects"
        head={["Effect", "Variance", "Std.Dev."]}
        rows={variances.map((v) => ({ label: v.label, values: [num(v.variance, 4), num(v.sd, 4)] }))}
      />
      {re.covariances.length > 0 ? (
        <LabelledPairs
          caption="Covariances and correlations"
          head={["Pair", <abbr title="Covariance">Cov.</abbr>, <abbr title="Correlation">Corr.</abbr>]}
          rows={re.covariances.map((c) => ({ label: c.label, values: [num(c.covariance, 4), num(c.correlation, 3)] }))}
        />
      ) : null}
    </div>
  );
}

/** A captioned table of rows named by a header cell, each with two numbers. */
function LabelledPairs({ caption, head, rows }: { caption: string; head: [ReactNode, ReactNode, ReactNode]; rows: { label: string; values: [string, string] }[] }) {
  const s = useTableStyles();
  const id = useId();
  return (
    <table className={s.table} aria-labelledby={id}>
      <caption id={id} className={s.caption}>{caption}</caption>
      <colgroup>
        <col />
        <col style={{ width: "5.4em" }} />
        <col style={{ width: "5em" }} />
      </colgroup>
      <thead>
        <tr>
          <th scope="col" className={s.th}>{head[0]}</th>
          <th scope="col" className={`${s.th} ${s.thNum}`}>{head[1]}</th>
          <th scope="col" className={`${s.th} ${s.thNum}`}>{head[2]}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <th scope="row" className={s.td} style={{ fontWeight: "normal", textAlign: "left" }}>{r.label}</th>
            <td className={`${s.td} ${s.num}`}>{r.values[0]}</td>
            <td className={`${s.td} ${s.num}`}>{r.values[1]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
