/**
 * The sample workbook the pane works on outside Excel: a button per sheet, named after it, opens
 * the sheet as a grid with its charts (so a summary sheet can be looked at without Excel), and
 * the formulas inserted are listed.
 */
import { useMemo, useState, useSyncExternalStore } from "react";
import { Button, makeStyles, Text, tokens } from "@fluentui/react-components";
import type { SampleWorkbook } from "../../office/sampleWorkbook";
import { gridOfLayout, gridOfRows } from "../../office/sheetGrid";
import { Section } from "./Section";
import { SheetPreview } from "./SheetPreview";

const useStyles = makeStyles({
  sheets: { display: "flex", flexWrap: "wrap", gap: "6px" },
  small: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: "anywhere" },
});

function useWorkbookVersion(workbook: SampleWorkbook): string {
  return useSyncExternalStore(
    (cb) => workbook.subscribe(cb),
    () => `${workbook.sheets.length}:${workbook.formulas.length}:${workbook.selection ?? ""}`,
  );
}

export function SampleWorkbookCard({ workbook }: { workbook: SampleWorkbook }) {
  const styles = useStyles();
  const version = useWorkbookVersion(workbook);
  const [open, setOpen] = useState<string | null>(null);
  const sheet = workbook.sheets.find((s) => s.name === open) ?? null;
  const grid = useMemo(() => (sheet ? (sheet.content ? gridOfLayout(sheet.content) : gridOfRows(workbook.dataRows())) : null), [sheet, workbook]);
  void version;
  return (
    <Section title="Sample workbook" label="Sample workbook">
      <Text size={200} className={styles.small}>
        Open a sheet to see its cells and charts.
      </Text>
      <div className={styles.sheets} role="group" aria-label="Sheets">
        {workbook.sheets.map((s) => (
          <Button key={s.name} size="small" onClick={() => setOpen(s.name)} title={`${s.usedRange}${s.kind === "data" ? ", the dietox data" : ""}`}>
            {s.name}
          </Button>
        ))}
      </div>
      {workbook.formulas.length > 0 ? (
        <>
          <Text weight="semibold">Formulas inserted</Text>
          {workbook.formulas.map((f, i) => (
            <Text key={i} className={styles.mono}>
              {f.address}: {f.formula}
            </Text>
          ))}
        </>
      ) : null}
      {sheet && grid ? (
        <SheetPreview
          name={sheet.name}
          grid={grid}
          selection={
            sheet.kind === "data"
              ? {
                  address: workbook.selection,
                  select: (a) => {
                    try { workbook.select(a); return null; } catch (e) { return e instanceof Error ? e.message : String(e); }
                  },
                }
              : undefined
          }
          onClose={() => setOpen(null)}
        />
      ) : null}
    </Section>
  );
}
