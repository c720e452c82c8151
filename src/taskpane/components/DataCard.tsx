/**
 * The data: "Use selection" reads the selected range (or the table or region around one cell);
 * the columns are listed as the engine reads them, and numeric codes (Pig, Litter) can be marked
 * categorical, which writes them as C(col) in the formula.
 */
import { Button, Checkbox, makeStyles, Spinner, Text, tokens } from "@fluentui/react-components";
import type { DataInfo } from "../model";
import { mayBeCodes } from "../model";
import { Notice, NoticeBar } from "./NoticeBar";
import { Section } from "./Section";
import { useTableStyles } from "./tables.styles";

const useStyles = makeStyles({
  row: { display: "flex", gap: "8px", alignItems: "center", flexWrap: "wrap" },
  small: { color: tokens.colorNeutralForeground3 },
});

export interface DataCardProps {
  data: DataInfo | null;
  reading: boolean;
  notice: Notice;
  categorical: string[];
  onUseSelection: () => void;
  onCategorical: (column: string, on: boolean) => void;
}

export function DataCard({ data, reading, notice, categorical, onUseSelection, onCategorical }: DataCardProps) {
  const styles = useStyles();
  const t = useTableStyles();
  return (
    <Section title="Data" label="Data">
      <Text size={200} className={styles.small}>
        Select the data with the column names in the first row, or one cell inside them.
      </Text>
      <div className={styles.row}>
        <Button appearance={data ? "secondary" : "primary"} onClick={onUseSelection} disabledFocusable={reading}>
          Use selection
        </Button>
        {reading ? <Spinner size="tiny" label="Reading…" /> : null}
        {data ? (
          <Text aria-label="Data range">
            <b>{data.address}</b> · {data.rows.toLocaleString("en-US")} rows · {data.columns.length} columns
          </Text>
        ) : null}
      </div>
      <NoticeBar notice={notice} />
      {data ? (
        <table className={t.table} aria-label="Columns">
          <colgroup>
            <col />
            <col style={{ width: "45%" }} />
            <col style={{ width: "4.2em" }} />
          </colgroup>
          <thead>
            <tr>
              <th scope="col" className={t.th}>Column</th>
              <th scope="col" className={t.th}>Type</th>
              <th scope="col" className={`${t.th} ${t.thNum}`}>Missing</th>
            </tr>
          </thead>
          <tbody>
            {data.columns.map((c) => (
              <tr key={c.name}>
                <th scope="row" className={t.td} style={{ fontWeight: "normal", textAlign: "left" }}>{c.name}</th>
                <td className={t.td}>
                  {c.kind === "categorical" ? `categorical (${c.distinct} levels)` : mayBeCodes(c, data.rows) ? (
                    <Checkbox
                      size="medium"
                      label={`categorical (${c.distinct} values)`}
                      aria-label={`Treat ${c.name} as categorical (${c.distinct} values)`}
                      checked={categorical.includes(c.name)}
                      onChange={(_, d) => onCategorical(c.name, d.checked === true)}
                      style={{ marginLeft: "-8px" }}
                    />
                  ) : "numeric"}
                </td>
                <td className={`${t.td} ${t.num}`}>{c.missing}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
