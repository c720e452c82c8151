/**
 * The fixed effects, compact enough for a 320 px pane: name, estimate, standard error and p stay
 * visible; z and the 95% interval are shown on demand, on a line under each name, so that the
 * table never needs a sideways scrollbar.
 */
import { useId, useState } from "react";
import { Switch } from "@fluentui/react-components";
import type { Cell } from "../../report/tables";
import { num, pValue } from "../display";
import { useTableStyles } from "./tables.styles";

export function CoefficientsTable({ coef }: { coef: Cell[][] }) {
  const s = useTableStyles();
  const [details, setDetails] = useState(false);
  const id = useId();
  const rows = coef.slice(1).map((r) => ({ name: String(r[0]), est: r[1] as number, se: r[2] as number, z: r[3] as number, p: r[4] as number, lo: r[5] as number, hi: r[6] as number }));
  return (
    <div>
      <table className={s.table} aria-labelledby={`${id}-caption`}>
        <caption id={`${id}-caption`} className={s.caption}>Coefficients</caption>
        <colgroup>
          <col />
          <col style={{ width: "5.2em" }} />
          <col style={{ width: "4.4em" }} />
          <col style={{ width: "3.9em" }} />
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className={s.th}>Term</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>Estimate</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}><abbr title="Standard error">SE</abbr></th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>p</th>
          </tr>
        </thead>
        <tbody>
          {rows.flatMap((r) => [
            <tr key={r.name} style={details ? { borderBottomStyle: "hidden" } : undefined}>
              <th scope="row" className={s.td} style={{ fontWeight: "normal", textAlign: "left", borderBottomStyle: details ? "none" : undefined }}>{r.name}</th>
              <td className={`${s.td} ${s.num}`} style={details ? { borderBottomStyle: "none" } : undefined}>{num(r.est)}</td>
              <td className={`${s.td} ${s.num}`} style={details ? { borderBottomStyle: "none" } : undefined}>{num(r.se)}</td>
              <td className={`${s.td} ${s.num}`} style={details ? { borderBottomStyle: "none" } : undefined}>{pValue(r.p)}</td>
            </tr>,
            ...(details
              ? [
                  <tr key={`${r.name}-detail`}>
                    <td colSpan={4} className={s.detail}>
                      z {num(r.z, 2)} · 95% CI {num(r.lo)} to {num(r.hi)}
                    </td>
                  </tr>,
                ]
              : []),
          ])}
        </tbody>
      </table>
      <Switch label="Show z and 95% intervals" checked={details} onChange={(_, d) => setDetails(d.checked)} />
    </div>
  );
}
