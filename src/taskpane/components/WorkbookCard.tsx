/**
 * To the workbook: a summary sheet, or the worksheet formula, of the model the results show. Both
 * wait while the results are out of date, so that what is written is always the model on screen.
 */
import { Button, makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text, tokens } from "@fluentui/react-components";
import { Notice, NoticeBar } from "./NoticeBar";
import { Section } from "./Section";

const useStyles = makeStyles({
  row: { display: "flex", gap: "8px", alignItems: "center", flexWrap: "wrap" },
  small: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: "anywhere" },
});

export interface WorkbookCardProps {
  sheetFormula: string;
  /** Why that formula would not calculate in Excel (its data are over the 5 MB Excel passes to a function), if so. */
  sheetFormulaWarning?: string;
  /** The model the results show, in words ("Weight ~ Time, REML, groups Pig"). */
  model: string;
  stale: boolean;
  busy: "" | "sheet" | "formula";
  notice: Notice;
  onCreateSheet: () => void;
  onInsertFormula: () => void;
}

export function WorkbookCard({ sheetFormula, sheetFormulaWarning, model, stale, busy, notice, onCreateSheet, onInsertFormula }: WorkbookCardProps) {
  const styles = useStyles();
  const off = stale || busy !== "";
  return (
    <Section title="To the workbook" label="Workbook">
      <div className={styles.row}>
        <Button appearance="primary" onClick={onCreateSheet} disabledFocusable={off} aria-describedby="workbook-model">
          Create summary sheet
        </Button>
        <Button onClick={onInsertFormula} disabledFocusable={off} aria-describedby={sheetFormulaWarning && !stale ? "workbook-model formula-warning" : "workbook-model"}>
          Insert formula
        </Button>
        {busy ? <Spinner size="tiny" label="Writing…" /> : null}
      </div>
      <Text id="workbook-model" size={200} className={styles.small}>
        {stale
          ? "Fit the model as it now stands first: these buttons write the model the results show, and those are out of date."
          : `Writes the model shown (${model}): the summary to a new sheet, never over an existing one; the formula into the selected cell, where it recalculates with the data:`}
      </Text>
      {!stale ? <Text className={styles.mono}>{sheetFormula}</Text> : null}
      {!stale && sheetFormulaWarning ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody id="formula-warning">
            <MessageBarTitle>This formula may not calculate in Excel</MessageBarTitle>
            {sheetFormulaWarning}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <NoticeBar notice={notice} />
    </Section>
  );
}
