/**
 * Colours for entity labels: each label takes the next colour of a fixed palette the first time it
 * is seen and keeps it for the session, so `Office`, `Gadget` and `Person` never share a colour
 * while the palette lasts (a hash would make them collide). Past the palette, hues continue by the
 * golden angle, which keeps later colours apart too.
 */

// Tableau 10 and 10 further colours, ordered so that neighbours in the list contrast.
const PALETTE = [
  '#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#1f3c88',
  '#2ca02c', '#8c564b', '#d62790', '#17becf', '#bcbd22', '#6b4c9a', '#c44e52', '#3d9970', '#ff7f0e', '#7f7f7f',
];

const assigned = new Map<string, string>();

export function colourOf(label: string): string {
  let colour = assigned.get(label);
  if (!colour) {
    const i = assigned.size;
    colour = i < PALETTE.length ? PALETTE[i]! : hslHex((i * 137.508) % 360, 0.55, 0.48);
    assigned.set(label, colour);
  }
  return colour;
}

/** Labels in the order they got their colours. */
export function colouredLabels(): string[] {
  return [...assigned.keys()];
}

/** sigma parses hex colours; HSL is only how the extra colours are chosen. */
function hslHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
