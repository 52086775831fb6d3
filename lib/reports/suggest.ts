/** Levenshtein distance: the fewest one-character inserts, deletes and substitutions that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known name closest to a mistyped one, or undefined when none is close: within a third of its length
 * (at least 2 edits), or else the only name that contains it.
 */
export function closestName(typed: string, names: readonly string[]): string | undefined {
  const wanted = typed.toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(wanted, name.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  if (best) return best.name;
  const containing = wanted.length >= 3 ? names.filter((name) => name.toLowerCase().includes(wanted)) : [];
  return containing.length === 1 ? containing[0] : undefined;
}

/** ` Did you mean "tickets"?` after a sentence, or nothing. */
export function didYouMean(typed: string, names: readonly string[]): string {
  const name = closestName(typed, names);
  return name === undefined || name === typed ? '' : ` Did you mean "${name}"?`;
}
