const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses a duration given as seconds (number) or a string like "4s", "15m", "12h", "30d". */
export const parseDuration = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)\s*([smhd])?$/.exec(value.trim());
  if (!match) return undefined;
  const amount = Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1);
  return amount > 0 ? amount : undefined;
};
