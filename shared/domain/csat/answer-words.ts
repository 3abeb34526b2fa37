/**
 * The words that tell a survey answer from a message, in English, Portuguese, Spanish and Arabic, in
 * their folded form (see `foldWord`: lower case, no accents, no Arabic vowel marks or hamza seats), so
 * "devolução" and "devolucao", "أريد" and "اريد" are one word.
 */

/** Lower case, accents and Arabic marks dropped (NFD then no combining marks): how words compare here. */
export function foldWord(text: string): string {
  return text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

/** A number word alone as the score ("five", "cinco", "três", "خمسة"). */
export const NUMBER_WORDS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    one: 1,
    two: 2,
    three: 3,
    four: 4,
    five: 5,
    // Portuguese and Spanish (folded: "três" is "tres")
    uno: 1,
    dois: 2,
    duas: 2,
    dos: 2,
    tres: 3,
    quatro: 4,
    cuatro: 4,
    cinco: 5,
    // Arabic
    واحد: 1,
    اثنان: 2,
    اثنين: 2,
    ثلاثة: 3,
    ثلاث: 3,
    اربعة: 4,
    اربع: 4,
    خمسة: 5,
    خمس: 5,
  }),
);

/**
 * Words that make the text after a typed score a request for someone to act, not a remark on the
 * service ("2 items ... can someone help me", "1 a encomenda não chegou, podem ajudar").
 */
export const REQUEST_WORDS: ReadonlySet<string> = new Set([
  // English
  ...['help', 'please', 'pls', 'can', 'could', 'would', 'need', 'want', 'cancel', 'refund', 'return'],
  ...['exchange', 'order', 'arrived', 'missing', 'where', 'still', 'another', 'also', 'urgent', 'asap'],
  // Portuguese
  ...['ajuda', 'ajudar', 'ajudem', 'favor', 'podem', 'pode', 'podia', 'podiam', 'poderia', 'poderiam'],
  ...['preciso', 'precisava', 'quero', 'queria', 'gostaria', 'cancelar', 'cancelem', 'reembolso'],
  ...['devolver', 'devolucao', 'trocar', 'troca', 'encomenda', 'pedido', 'chegou', 'chegaram'],
  ...['falta', 'faltam', 'faltou', 'onde', 'ainda', 'outra', 'outro', 'tambem', 'urgente'],
  // Brazilian Portuguese as typed on WhatsApp ("1 cadê o resto", "1 kd o reembolso", "1 me liga pfv")
  ...['cade', 'kd', 'faltando', 'veio', 'vieram', 'estorno', 'estornar', 'reembolsar', 'devolvam'],
  ...['pfv', 'pfvr', 'pf', 'liga', 'ligar', 'ligue', 'ligacao', 'problema', 'problemas', 'defeito'],
  // Spanish
  ...['ayuda', 'ayudar', 'ayudenme', 'ayudeme', 'pueden', 'puede', 'podria', 'podrian', 'necesito'],
  ...['quiero', 'quisiera', 'reembolso', 'devolucion', 'cambiar', 'cambio', 'llego', 'llegado'],
  ...['llegaron', 'faltan', 'falto', 'donde', 'todavia', 'aun', 'tambien'],
  // Arabic (folded: "أريد" is "اريد")
  ...['ساعدني', 'ساعدوني', 'مساعدة', 'فضلك', 'سمحت', 'ممكن', 'اريد', 'ابغى', 'ابي', 'احتاج', 'الغاء'],
  ...['استرجاع', 'استرداد', 'ارجاع', 'تبديل', 'استبدال', 'طلب', 'طلبي', 'الطلب', 'طلبية', 'وصل'],
  ...['يصل', 'وصلت', 'يوصل', 'وين', 'اين', 'متى', 'لسه', 'لازال', 'مازال', 'عاجل', 'ايضا', 'كمان'],
]);

/**
 * Two words that together, side by side, make the text a request though neither does alone ("1 até
 * agora nada": "até" and "agora" each fit a remark), folded and joined by one space.
 */
export const REQUEST_PHRASES: ReadonlySet<string> = new Set([
  'ate agora',
  'ate hoje',
  'hasta ahora',
  'hasta hoy',
]);

/** Words that after a number make it a count ("2 items", "3 dias", "٣ أيام"), not a score. */
export const COUNT_WORDS: ReadonlySet<string> = new Set([
  // English
  ...['item', 'items', 'order', 'orders', 'parcel', 'parcels', 'package', 'packages', 'box', 'boxes'],
  ...['piece', 'pieces', 'pairs', 'times', 'minutes', 'hours', 'days', 'weeks', 'months', 'years'],
  ...['people', 'euros', 'dollars', 'pounds'],
  // Portuguese and Spanish
  ...['artigo', 'artigos', 'articulo', 'articulos', 'produto', 'produtos', 'producto', 'productos'],
  ...['encomenda', 'encomendas', 'pedido', 'pedidos', 'paquete', 'paquetes', 'caixa', 'caixas'],
  ...['caja', 'cajas', 'peca', 'pecas', 'pieza', 'piezas', 'pares', 'vezes', 'veces', 'minuto'],
  ...['minutos', 'hora', 'horas', 'dia', 'dias', 'semana', 'semanas', 'mes', 'meses', 'ano', 'anos'],
  ...['pessoas', 'personas', 'reais', 'pesos'],
  // Arabic
  ...['يوم', 'ايام', 'ساعة', 'ساعات', 'دقائق', 'اسبوع', 'اسابيع', 'شهر', 'شهور', 'اشهر', 'طلبات'],
  ...['قطع', 'منتجات', 'درهم', 'دراهم', 'ريال', 'اشخاص'],
]);
