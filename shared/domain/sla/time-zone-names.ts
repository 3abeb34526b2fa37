/**
 * Old names the runtime's time zone data (ICU) still lists as canonical, each with its IANA name now
 * (the IANA database keeps the old one as a link only). Newer Node versions list the new names already;
 * either way, the policy takes the new one and names it for the old.
 */
const RENAMED: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

let named: ReadonlyMap<string, string> | undefined;

/** The IANA names of places (`Europe/Paris`), and `UTC`, by their lower-case form. */
function canonicalNames(): ReadonlyMap<string, string> {
  if (named) return named;
  const listed = Intl.supportedValuesOf('timeZone').filter(
    (name) => name.includes('/') && !name.startsWith('Etc/'),
  );
  const names = [...listed.filter((name) => !(name in RENAMED)), ...Object.values(RENAMED), 'UTC'];
  named = new Map(names.map((name) => [name.toLowerCase(), name]));
  return named;
}

/** Whether `zone` is written as the IANA database names a place now (`America/New_York`), or is `UTC`. */
export function isCanonicalZone(zone: string): boolean {
  return canonicalNames().get(zone.toLowerCase()) === zone;
}

/**
 * The name to write for `zone`: the same name in its own case (`america/new_york`), or the current
 * name of the zone an old one or an alias reads as (`resolved`, what the runtime makes of it:
 * `US/Eastern` is America/New_York, `Asia/Calcutta` Asia/Kolkata); undefined when there is none.
 */
export function canonicalZoneFor(zone: string, resolved: string): string | undefined {
  const names = canonicalNames();
  const own = names.get(zone.toLowerCase());
  if (own) return own;
  const current = RENAMED[resolved] ?? resolved;
  return names.get(current.toLowerCase());
}
