/** The three diagnostic plots of a fit, from the points the worker sent (src/report/diagnostics.ts). */
import { useMemo } from "react";
import type { PlotData } from "../../report/diagnostics";
import { num } from "../display";
import { Section } from "./Section";
import { XYPlot } from "./XYPlot";

function shown(count: number, total: number, what: string): string | undefined {
  return count < total ? `${count.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} ${what} shown (evenly spaced).` : undefined;
}

export function PlotsCard({ plots }: { plots: PlotData }) {
  const { residuals: res, qq, caterpillar: cat, rowLabel } = plots;
  const resSeries = useMemo(() => [{ name: "Residuals", x: res.fitted, y: res.residual, style: "markers" as const }], [res]);
  const qqSeries = useMemo(() => {
    const lo = qq.theoretical[0] ?? -3;
    const hi = qq.theoretical[qq.theoretical.length - 1] ?? 3;
    return [
      { name: "Standardized residuals", x: qq.theoretical, y: qq.standardized, style: "markers" as const },
      { name: "y = x", x: [lo, hi], y: [lo, hi], style: "line" as const },
    ];
  }, [qq]);
  const catSeries = useMemo(() => (cat ? [{ name: "Prediction", x: cat.rank, y: cat.estimate, style: "markers" as const, low: cat.lower, high: cat.upper }] : []), [cat]);
  return (
    <Section title="Plots" label="Plots">
      <XYPlot
        label="Residuals against fitted values"
        xTitle="Fitted value"
        yTitle="Residual"
        series={resSeries}
        hLine={0}
        describe={(i) => `${rowLabel} ${res.row[i]}: fitted ${num(res.fitted[i])}, residual ${num(res.residual[i])}`}
        note={shown(res.row.length, res.total, "points")}
      />
      <XYPlot
        label="Normal Q-Q plot of the residuals"
        xTitle="Normal quantile"
        yTitle="Standardized residual"
        series={qqSeries}
        describe={(i) => `${rowLabel} ${qq.row[i]}: standardized residual ${num(qq.standardized[i])}, normal quantile ${num(qq.theoretical[i])}`}
        note={shown(qq.row.length, qq.total, "points")}
      />
      {cat ? (
        <XYPlot
          label="Predicted random effects"
          xTitle={`${cat.grouping}, sorted by prediction`}
          yTitle={cat.intercept ? "Random intercept" : cat.effect}
          series={catSeries}
          hLine={0}
          describe={(i) =>
            `${cat.grouping} ${cat.levels[i]}: ${num(cat.estimate[i])}${cat.lower && cat.upper ? `, 95% interval ${num(cat.lower[i])} to ${num(cat.upper[i])}` : ""}`
          }
          note={[`${cat.what}${cat.lower ? ", with ±1.96 conditional SD" : ""}.`, shown(cat.levels.length, cat.total, "levels")].filter(Boolean).join(" ")}
        />
      ) : null}
    </Section>
  );
}
