/**
 * The pane's Fluent theme: Office's when Office reports one (Office.context.officeTheme: dark
 * when its body background is dark), else light; outside Office, `?theme=dark` in the page's
 * address tries the dark one. https://learn.microsoft.com/javascript/api/office/office.officetheme
 */
import { Theme, webDarkTheme, webLightTheme } from "@fluentui/react-components";

/** Relative luminance of "#rrggbb" (0 black to 1 white); null when not such a colour. */
export function luminance(hex: string | undefined): number | null {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex ?? "");
  if (!m) return null;
  const [r, g, b] = m.slice(1).map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function paneTheme(officeTheme: { bodyBackgroundColor?: string } | null | undefined, search = ""): Theme {
  const l = luminance(officeTheme?.bodyBackgroundColor);
  if (l !== null) return l < 0.2 ? webDarkTheme : webLightTheme;
  return /[?&]theme=dark\b/.test(search) ? webDarkTheme : webLightTheme;
}
