/**
 * Vocabulary shared by the sample seeder (a few dozen hand-shaped customers) and the portfolio
 * generator (hundreds of thousands, in SQL), so both read like the same Algerian loan book.
 */

export const MALE_FIRST_NAMES = [
  "Mohamed",
  "Ahmed",
  "Yacine",
  "Amine",
  "Karim",
  "Sofiane",
  "Rachid",
  "Mourad",
  "Samir",
  "Nassim",
  "Walid",
  "Lyes",
  "Massinissa",
  "Amar",
  "Idir",
  "Mehdi",
  "Hocine",
  "Farid",
  "Djamel",
  "Abdelkader",
  "Nabil",
  "Bilal",
  "Redouane",
  "Aghiles",
  "Salim",
  "Omar",
  "Youcef",
  "Khaled",
  "Hamza",
  "Anis",
];

export const FEMALE_FIRST_NAMES = [
  "Fatima Zohra",
  "Amina",
  "Meriem",
  "Nadia",
  "Samia",
  "Lynda",
  "Kahina",
  "Thiziri",
  "Sarah",
  "Imane",
  "Yasmine",
  "Nawel",
  "Djamila",
  "Souad",
  "Lamia",
  "Tinhinane",
  "Chahinez",
  "Khadidja",
  "Houria",
  "Sabrina",
  "Dalila",
  "Wafa",
  "Rym",
  "Assia",
  "Hanane",
  "Malika",
  "Ouardia",
  "Feriel",
  "Zineb",
  "Leïla",
];

export const LAST_NAMES = [
  "Benali",
  "Bouzid",
  "Belkacem",
  "Haddad",
  "Mansouri",
  "Saidi",
  "Brahimi",
  "Boudiaf",
  "Amrani",
  "Cherif",
  "Hamidi",
  "Khelifi",
  "Meziane",
  "Ait Ahmed",
  "Ait Ouali",
  "Ould Ali",
  "Boumediene",
  "Zerrouki",
  "Benyahia",
  "Kaci",
  "Aouadi",
  "Chaouch",
  "Rahmani",
  "Larbi",
  "Slimani",
  "Touati",
  "Ferhat",
  "Hamadouche",
  "Djebbar",
  "Belaïd",
  "Messaoudi",
  "Bensalem",
  "Lounis",
  "Amokrane",
  "Ikhlef",
  "Benmoussa",
  "Guendouz",
  "Yahiaoui",
  "Lakhdari",
  "Bouchama",
  "Mebarki",
  "Tahar",
  "Boukhari",
  "Hadj Aïssa",
  "Sellami",
  "Ziani",
  "Medjdoub",
  "Belhadj",
  "Boukhalfa",
  "Chikhi",
  "Derradji",
  "Ghezali",
  "Kherbouche",
  "Mokrani",
  "Nait Slimane",
  "Oukaci",
  "Rebai",
  "Sahnoun",
  "Taleb",
  "Zeroual",
];

/** City, fixed-line area code (after +213) and the languages its customers most often ask for. */
export const CITIES: { name: string; area: string; languages: readonly string[] }[] = [
  { name: "Alger", area: "21", languages: ["ar", "fr"] },
  { name: "Oran", area: "41", languages: ["ar", "fr"] },
  { name: "Constantine", area: "31", languages: ["ar", "fr"] },
  { name: "Annaba", area: "38", languages: ["ar", "fr"] },
  { name: "Blida", area: "25", languages: ["ar"] },
  { name: "Sétif", area: "36", languages: ["ar", "fr"] },
  { name: "Tizi Ouzou", area: "26", languages: ["kab", "fr"] },
  { name: "Béjaïa", area: "34", languages: ["kab", "fr"] },
  { name: "Batna", area: "33", languages: ["ar"] },
  { name: "Tlemcen", area: "43", languages: ["ar", "fr"] },
  { name: "Boumerdès", area: "24", languages: ["ar", "kab"] },
  { name: "Sidi Bel Abbès", area: "48", languages: ["ar"] },
  { name: "Mostaganem", area: "45", languages: ["ar"] },
  { name: "Skikda", area: "38", languages: ["ar"] },
  { name: "Bouira", area: "26", languages: ["kab", "ar"] },
  { name: "Ghardaïa", area: "29", languages: ["ar"] },
  { name: "Chlef", area: "27", languages: ["ar"] },
  { name: "Tiaret", area: "46", languages: ["ar"] },
];

export const STREETS = [
  "Rue Didouche Mourad",
  "Boulevard Zighoud Youcef",
  "Rue Larbi Ben M'hidi",
  "Cité 500 Logements",
  "Boulevard de l'ALN",
  "Rue Hassiba Ben Bouali",
  "Cité AADL",
  "Rue Abane Ramdane",
  "Avenue de l'Indépendance",
  "Rue Colonel Amirouche",
  "Cité des Frères Abbas",
  "Boulevard Krim Belkacem",
  "Rue Émir Abdelkader",
  "Cité 1er Novembre",
  "Rue Mohamed Khemisti",
];

export const EMPLOYERS = [
  "Sonatrach",
  "Sonelgaz",
  "Algérie Télécom",
  "Naftal",
  "Cevital",
  "Condor Electronics",
  "Air Algérie",
  "SNTF",
  "CHU Mustapha Pacha",
  "Éducation nationale",
  "APC",
  "Groupe SIM",
  "Hamoud Boualem",
  "NCA Rouiba",
  "Saidal",
  "Cosider",
  "Algérie Poste",
  "Commerçant (indépendant)",
  "Artisan (indépendant)",
  "Retraité (CNR)",
];

export const LOAN_PRODUCTS = [
  "Prêt personnel",
  "Crédit automobile",
  "Crédit immobilier",
  "Crédit à la consommation",
  "Crédit électroménager",
  "Microcrédit ANGEM",
];

export const TERMS_MONTHS = [12, 18, 24, 36, 48, 60] as const;

/** CCP (Algérie Poste) and cash dominate repayments here; cards are still rare. */
export const PAYMENT_METHOD_WEIGHTS: [string, number][] = [
  ["ccp", 35],
  ["cash", 25],
  ["bank_transfer", 20],
  ["cheque", 10],
  ["card", 7],
  ["other", 3],
];

/** Mobile prefixes after +213: Ooredoo (55), Mobilis (66), Djezzy (77). */
export const MOBILE_PREFIXES = ["55", "66", "77"] as const;

/** mulberry32: tiny, seedable, good enough for believable sample data (never for security). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
}

export function makeRng(seed: number): Rng {
  const next = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, int, pick: (list) => list[int(0, list.length - 1)]! };
}

export function weighted<T>(rng: Rng, entries: readonly (readonly [T, number])[]): T {
  let roll = rng.int(
    1,
    entries.reduce((sum, [, w]) => sum + w, 0),
  );
  for (const [value, w] of entries) {
    roll -= w;
    if (roll <= 0) return value;
  }
  return entries[0]![0];
}

/** Integer centimes to a numeric(14,2) string; money never travels as a float. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
