/**
 * The regions libphonenumber-js has a numbering plan for (its `getCountries()`), written out so the
 * config check of DEFAULT_REGION, which every function runs at cold start, does not bundle the phone
 * library and its metadata into functions that never parse a number (the webhooks), nor load it there.
 * `test/unit/shared/config/phone-regions.test.ts` compares the list with the library's, so an upgrade
 * that adds or drops a region fails the tests until the list follows.
 */
const REGIONS =
  'AC AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ ' +
  'BL BM BN BO BQ BR BS BT BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU ' +
  'CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA ' +
  'GB GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL ' +
  'IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC ' +
  'LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
  'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK ' +
  'PL PM PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM ' +
  'SN SO SR SS ST SV SX SY SZ TA TC TD TG TH TJ TK TL TM TN TO TR TT TV TW TZ ' +
  'UA UG US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW';

/** The ISO 3166-1 alpha-2 codes libphonenumber-js can read a national number in. */
export const PHONE_REGIONS: ReadonlySet<string> = new Set(REGIONS.split(' '));
