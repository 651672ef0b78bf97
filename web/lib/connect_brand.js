// web/lib/connect_brand.js - a tenant's accent colour on the connect page
// (docs/embedding.md): custom properties that style.css's connect section
// uses for primary buttons, the current step and focus rings. The text on
// the colour is black or white, whichever contrasts more: one of them is
// always at least 4.58:1, so WCAG AA (4.5:1) holds for any colour. A focus
// ring needs 3:1 against what is around it (WCAG 1.4.11): in a theme where
// the colour is fainter than that, the ring stays inlet's.

const HEX = /^#[0-9a-fA-F]{6}$/;

// The page's and the cards' backgrounds in style.css's two themes (--bg, --surface).
const BACKGROUNDS = { light: ['#f6f7f9', '#ffffff'], dark: ['#0f1217', '#171b22'] };

// WCAG 2 relative luminance of #rrggbb.
function luminance(hex) {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

// contrast("#rrggbb", "#rrggbb") -> the WCAG contrast ratio, 1 to 21.
export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

// brandVars(accent) -> {property: value}: what applyBrand sets; {} for no
// (or a malformed) colour, which leaves inlet's own.
export function brandVars(accent) {
  if (typeof accent !== 'string' || !HEX.test(accent)) return {};
  const vars = {
    '--brand': accent,
    '--brand-text': contrast(accent, '#ffffff') >= contrast(accent, '#000000') ? '#ffffff' : '#000000',
  };
  for (const [theme, bgs] of Object.entries(BACKGROUNDS))
    if (bgs.every((bg) => contrast(accent, bg) >= 3)) vars[`--brand-focus-${theme}`] = accent;
  return vars;
}

const NAMES = ['--brand', '--brand-text', '--brand-focus-light', '--brand-focus-dark'];

// applyBrand(accent): on the page's root element (set through the CSSOM,
// which the page's CSP allows, unlike a style element).
export function applyBrand(accent) {
  const vars = brandVars(accent);
  const st = document.documentElement.style;
  for (const n of NAMES) {
    if (vars[n]) st.setProperty(n, vars[n]);
    else st.removeProperty(n);
  }
}
