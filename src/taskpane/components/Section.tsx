/** A card of the pane: a region named by its heading. */
import type { ReactNode } from "react";
import { Card, makeStyles, Subtitle2 } from "@fluentui/react-components";

const useStyles = makeStyles({
  card: { display: "flex", flexDirection: "column", gap: "8px", padding: "12px", minWidth: 0 },
});

export function Section({ title, label, children }: { title: string; label: string; children: ReactNode }) {
  const styles = useStyles();
  const id = `section-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <Card className={styles.card} role="region" aria-labelledby={id}>
      <Subtitle2 as="h2" id={id}>
        {title}
      </Subtitle2>
      {children}
    </Card>
  );
}
