/** The random effects in plain words: each variance ("Pig: (Intercept)") with its SD, then covariances with their correlations. */
import { useId } from "react";
import type { RandomEffectsSummary } from "../../report/randomEffects";
import { num } from "../display";
import { useTableStyles } from "./tables.styles";

export function RandomEffectsTable({ re }: { re: RandomEffectsSummary }) {
  const s = useTableStyles();
  const id = useId();
  return (
    <div>
      <table className={s.table} aria-labelledby={`${id}-v`}>
        <caption id={`${id}-v`} className={s.caption}>Random effects</caption>
        <colgroup>
          <col />
          <col style={{ width: "5.4em" }} />
          <col style={{ width: "5em" }} />
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className={s.th}>Effect</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>Variance</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>Std.Dev.</th>
          </tr>
        </thead>
        <tbody>
          {[...re.variances, { label: "Residual", variance: re.residual.variance, sd: re.residual.sd }].map((v) => (
            <tr key={v.label}>
              <th scope="row" className={s.td} style={{ fontWeight: "normal", textAlign: "left" }}>{v.label}</th>
              <td className={`${s.td} ${s.num}`}>{num(v.variance, 4)}</td>
              <td className={`${s.td} ${s.num}`}>{num(v.sd, 4)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {re.covariances.length > 0 ? (
        <table className={s.table} aria-labelledby={`${id}-c`}>
          <caption id={`${id}-c`} className={s.caption}>Covariances and correlations</caption>
          <colgroup>
            <col />
            <col style={{ width: "5.4em" }} />
            <col style={{ width: "5em" }} />
          </colgroup>
          <thead>
            <tr>
              <th scope="col" className={s.th}>Pair</th>
              <th scope="col" className={`${s.th} ${s.thNum}`}><abbr title="Covariance">Cov.</abbr></th>
              <th scope="col" className={`${s.th} ${s.thNum}`}><abbr title="Correlation">Corr.</abbr></th>
            </tr>
          </thead>
          <tbody>
            {re.covariances.map((c) => (
              <tr key={c.label}>
                <th scope="row" className={s.td} style={{ fontWeight: "normal", textAlign: "left" }}>{c.label}</th>
                <td className={`${s.td} ${s.num}`}>{num(c.covariance, 4)}</td>
                <td className={`${s.td} ${s.num}`}>{num(c.correlation, 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
