/**
 * A `listPoll` `split` for items that group several readings in a list (a weigh-in holding its
 * weight, fat ratio ... measures): one copy of the item per element of the list at `path` (a
 * top-level field), that list holding only the element, so each reading is mapped, validated and
 * rejected on its own. An item without a list there stays whole.
 */
export function eachOf(path: string) {
  return (raw: unknown): unknown[] => {
    const list = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[path] : undefined;
    return Array.isArray(list) ? list.map((one) => ({ ...(raw as object), [path]: [one] })) : [raw];
  };
}
