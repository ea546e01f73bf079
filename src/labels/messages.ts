/**
 * Every message an OPD admin may read about labels, diagrams and surveys, in Bahasa Indonesia
 * and English, keyed by a stable code. Written for office staff, not network engineers: say what
 * is wrong, where, and what to write instead.
 */
import { AppError } from '../common/errors.js';

export interface Message {
  id: string;
  en: string;
}
export type Lang = keyof Message;
export type Params = Readonly<Record<string, string | number>>;

/** Quote a value from the input for a message; long values are cut so a message stays readable. */
export const q = (v: string | number | undefined): string => {
  const s = String(v ?? '');
  return `'${s.length > 60 ? `${s.slice(0, 57)}...` : s}'`;
};

const catalog = {
  // --- label syntax ---
  LABEL_EMPTY: () => ({
    id: 'Label kosong. Tulis kedua ujung kabel, misalnya DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:1.',
    en: 'The label is empty. Write both ends of the cable, e.g. DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:1.',
  }),
  LABEL_TOO_LONG: (p: Params) => ({
    id: `Label terlalu panjang (${p.length} karakter, paling banyak ${p.max}).`,
    en: `The label is too long (${p.length} characters, at most ${p.max}).`,
  }),
  LABEL_END_SEPARATOR_MISSING: (p: Params) => ({
    id: `Label harus memuat dua ujung kabel yang dipisah tanda ${q(p.sep)}: ujung dekat dulu, lalu ujung jauh, misalnya ${p.example}.`,
    en: `The label must name both ends of the cable separated by ${q(p.sep)}: near end first, then far end, e.g. ${p.example}.`,
  }),
  LABEL_SEPARATOR_MISSING: (p: Params) => ({
    id: `Pada kolom ${p.column} seharusnya ada tanda ${q(p.sep)} setelah ${p.partId} ${q(p.value)}${p.found ? `, tetapi tertulis ${q(p.found)}` : ''}.`,
    en: `At column ${p.column} a ${q(p.sep)} should follow the ${p.partEn} ${q(p.value)}${p.found ? `, but ${q(p.found)} is written` : ''}.`,
  }),
  LABEL_PART_EMPTY: (p: Params) => ({
    id: `${p.partIdCap} kosong pada kolom ${p.column}: ${p.partId} ${p.ruleId}`,
    en: `The ${p.partEn} is empty at column ${p.column}: the ${p.partEn} ${p.ruleEn}`,
  }),
  LABEL_PART_INVALID: (p: Params) => ({
    id: `${p.partIdCap} ${q(p.value)} (kolom ${p.column}) ${p.ruleId}`,
    en: `The ${p.partEn} ${q(p.value)} (column ${p.column}) ${p.ruleEn}`,
  }),
  LABEL_PART_LOWERCASE: (p: Params) => ({
    id: `${p.partIdCap} ${q(p.value)} (kolom ${p.column}) harus ditulis dengan huruf kapital: ${q(p.upper)}.`,
    en: `The ${p.partEn} ${q(p.value)} (column ${p.column}) must be written in capital letters: ${q(p.upper)}.`,
  }),
  LABEL_TRAILING_TEXT: (p: Params) => ({
    id: `Ada tulisan berlebih ${q(p.value)} mulai kolom ${p.column}; label berakhir setelah port ujung jauh.`,
    en: `Extra text ${q(p.value)} from column ${p.column}; the label ends after the far end's port.`,
  }),
  // --- label meaning ---
  LABEL_OPD_UNKNOWN: (p: Params) => ({
    id: `Kode OPD ${q(p.opd)} tidak ada di inventaris. Gunakan kode OPD yang terdaftar, misalnya ${p.example}.`,
    en: `OPD code ${q(p.opd)} is not in the inventory. Use a registered OPD code, e.g. ${p.example}.`,
  }),
  LABEL_DEVICE_UNKNOWN: (p: Params) => ({
    id: `Perangkat ${q(p.device)} milik ${p.opd} tidak ada di inventaris maupun di diagram OPD.`,
    en: `Device ${q(p.device)} of ${p.opd} is neither in the inventory nor in the OPD's diagram.`,
  }),
  LABEL_PORT_UNKNOWN: (p: Params) => ({
    id: `Port ${q(p.port)} tidak ada pada perangkat ${p.device}${p.available ? ` (port yang ada: ${p.available})` : ''}.`,
    en: `Port ${q(p.port)} does not exist on device ${p.device}${p.available ? ` (its ports: ${p.available})` : ''}.`,
  }),
  LABEL_SAME_END: (p: Params) => ({
    id: `Kedua ujung label sama (${p.end}). Ujung jauh harus perangkat/port di ujung lain kabel.`,
    en: `Both ends of the label are the same (${p.end}). The far end must be the device/port at the other end of the cable.`,
  }),
  LABEL_SPACE_MISMATCH: (p: Params) => ({
    id: `Label menempatkan ${p.device} di ruang ${q(p.space)}, tetapi menurut inventaris perangkat itu ada di ${q(p.expected)}.`,
    en: `The label places ${p.device} in room ${q(p.space)}, but the inventory has it in ${q(p.expected)}.`,
  }),
  LABEL_DUPLICATE: (p: Params) => ({
    id: `Label ${q(p.label)} dipakai lebih dari satu kabel (${p.where}). Setiap kabel harus punya label sendiri.`,
    en: `Label ${q(p.label)} is used by more than one cable (${p.where}). Each cable needs its own label.`,
  }),
  LABEL_PORT_REUSED: (p: Params) => ({
    id: `Port ${p.device}:${p.port} muncul pada dua kabel berbeda (${q(p.label)} dan ${q(p.other)}). Satu port hanya untuk satu kabel.`,
    en: `Port ${p.device}:${p.port} appears on two different cables (${q(p.label)} and ${q(p.other)}). One port takes one cable.`,
  }),
  LABEL_ENDS_INCONSISTENT: (p: Params) => ({
    id: `Label di ujung jauh harus kebalikan dari label di ujung dekat: tertulis ${q(p.far)}, seharusnya ${q(p.expected)}.`,
    en: `The label at the far end must be the mirror of the near end's: it reads ${q(p.far)}, it should read ${q(p.expected)}.`,
  }),
  LABEL_WRONG_END: (p: Params) => ({
    id: `Label ${q(p.label)} dibaca di ${q(p.location)}, tetapi bagian depannya menunjuk ujung lain kabel. Di ujung ini label harus diawali ujung ini sendiri: ${q(p.expected)}.`,
    en: `Label ${q(p.label)} was read at ${q(p.location)}, but its first half names the other end. At this end the label must start with this end: ${q(p.expected)}.`,
  }),
  LABEL_LINK_MISMATCH: (p: Params) => ({
    id: `Label ${q(p.label)} tidak cocok dengan garis kabel di diagram: ${p.detailId}.`,
    en: `Label ${q(p.label)} does not match the cable line in the diagram: ${p.detailEn}.`,
  }),
  LABEL_NOT_IN_DIAGRAM: (p: Params) => ({
    id: `Kabel ${q(p.label)} tidak tergambar di diagram LAN OPD.`,
    en: `Cable ${q(p.label)} is not drawn in the OPD's LAN diagram.`,
  }),
  LABEL_ONE_END_ONLY: (p: Params) => ({
    id: `Hanya ujung ${p.endId} kabel ini yang disurvei; periksa juga label di ujung lainnya.`,
    en: `Only the ${p.endEn} end of this cable was surveyed; check the label at the other end too.`,
  }),
  LABEL_MISSING: (p: Params) => ({
    id: `Kabel ${p.link} di diagram tidak punya label. Tulis labelnya, misalnya ${p.suggestion}.`,
    en: `Cable ${p.link} in the diagram has no label. Write its label, e.g. ${p.suggestion}.`,
  }),
  LABEL_MALFORMED: (p: Params) => ({
    id: `Label ${q(p.label)} pada kabel ${p.link} salah tulis: ${p.detailId}`,
    en: `Label ${q(p.label)} on cable ${p.link} is malformed: ${p.detailEn}`,
  }),
  // --- diagram meaning ---
  DIAGRAM_UNKNOWN_DEVICE: (p: Params) => ({
    id: `Perangkat ${q(p.device)} (${p.node}) tidak ada di inventaris ${p.opd}. Periksa ID perangkat, atau minta Diskominfo mendaftarkannya.`,
    en: `Device ${q(p.device)} (${p.node}) is not in ${p.opd}'s inventory. Check the device id, or ask Diskominfo to register it.`,
  }),
  DIAGRAM_DEVICE_ID_MISSING: (p: Params) => ({
    id: `Kotak ${q(p.node)} tidak punya ID perangkat. Tambahkan properti 'device' (Edit Data di draw.io), misalnya ${p.example}.`,
    en: `Shape ${q(p.node)} has no device id. Add a 'device' property (Edit Data in draw.io), e.g. ${p.example}.`,
  }),
  DIAGRAM_DEVICE_OTHER_OPD: (p: Params) => ({
    id: `Perangkat ${q(p.device)} terdaftar milik ${p.owner}, bukan ${p.opd}; digambar sebagai ujung sambungan ke luar.`,
    en: `Device ${q(p.device)} is registered to ${p.owner}, not ${p.opd}; drawn as the far side of an outside connection.`,
  }),
  // Shown to an opd-admin instead of DIAGRAM_DEVICE_OTHER_OPD: an office never learns whose a device is.
  DIAGRAM_DEVICE_NOT_OURS: (p: Params) => ({
    id: `Perangkat ${q(p.device)} (${p.node}) bukan perangkat kantor Anda (${p.opd}); digambar sebagai ujung sambungan ke luar.`,
    en: `Device ${q(p.device)} (${p.node}) is not one of your office's devices (${p.opd}); drawn as the far side of an outside connection.`,
  }),
  DIAGRAM_DANGLING_LINK: (p: Params) => ({
    id: `Garis kabel ${p.link} tidak tersambung ke perangkat di ujung ${p.side}. Tarik ujung garis sampai menempel pada kotak perangkat.`,
    en: `Cable line ${p.link} is not attached to a device at its ${p.side} end. Drag the line's end onto the device shape.`,
  }),
  DIAGRAM_PORT_REUSED: (p: Params) => ({
    id: `Port ${p.device}:${p.port} dipakai oleh dua kabel di diagram (${p.links}). Satu port hanya untuk satu kabel.`,
    en: `Port ${p.device}:${p.port} is used by two cables in the diagram (${p.links}). One port takes one cable.`,
  }),
  DIAGRAM_PORT_UNKNOWN: (p: Params) => ({
    id: `Port ${q(p.port)} pada kabel ${p.link} tidak ada pada perangkat ${p.device}${p.available ? ` (port yang ada: ${p.available})` : ''}.`,
    en: `Port ${q(p.port)} on cable ${p.link} does not exist on device ${p.device}${p.available ? ` (its ports: ${p.available})` : ''}.`,
  }),
  DIAGRAM_IP_NOT_ALLOCATED: (p: Params) => ({
    id: `Alamat IP ${p.ip} pada ${p.node} berada di luar blok IP yang diberikan kepada ${p.opd} (${p.blocks}).`,
    en: `IP address ${p.ip} on ${p.node} is outside the IP blocks allocated to ${p.opd} (${p.blocks}).`,
  }),
  DIAGRAM_IP_DUPLICATE: (p: Params) => ({
    id: `Alamat IP ${p.ip} dipakai lebih dari satu perangkat (${p.nodes}). Satu alamat untuk satu perangkat.`,
    en: `IP address ${p.ip} is used by more than one device (${p.nodes}). One address per device.`,
  }),
  DIAGRAM_IP_MALFORMED: (p: Params) => ({
    id: `${q(p.ip)} pada ${p.node} bukan alamat IP yang benar (contoh: 10.20.1.10).`,
    en: `${q(p.ip)} on ${p.node} is not a valid IP address (e.g. 10.20.1.10).`,
  }),
  // --- diagram against LLDP ---
  MATCH: (p: Params) => ({
    id: `Kabel ${p.link} terdeteksi LLDP sesuai diagram (${p.a} - ${p.b}).`,
    en: `Cable ${p.link} is seen by LLDP as drawn (${p.a} - ${p.b}).`,
  }),
  MISMATCH: (p: Params) => ({
    id: `Kabel ${p.link} di diagram: ${p.drawn}; menurut LLDP sebenarnya: ${p.seen}.`,
    en: `Cable ${p.link} in the diagram: ${p.drawn}; LLDP actually sees: ${p.seen}.`,
  }),
  UNDOCUMENTED: (p: Params) => ({
    id: `LLDP melihat sambungan ${p.seen} yang tidak ada di diagram. Gambarkan kabel ini.`,
    en: `LLDP sees a connection ${p.seen} that is not in the diagram. Draw this cable.`,
  }),
  NOT_DETECTED: (p: Params) => ({
    id: `Kabel ${p.link} (${p.drawn}) ada di diagram tetapi tidak terdeteksi LLDP. Periksa apakah kabel masih terpasang.`,
    en: `Cable ${p.link} (${p.drawn}) is in the diagram but not seen by LLDP. Check that the cable is still plugged in.`,
  }),
  // --- upload and config errors ---
  GRAMMAR_INVALID: (p: Params) => ({
    id: `Tata bahasa label di konfigurasi salah pada ${p.path}: ${p.reasonId}`,
    en: `The label grammar in the config is wrong at ${p.path}: ${p.reasonEn}`,
  }),
  DIAGRAM_TOO_LARGE: (p: Params) => ({
    id: `Berkas terlalu besar (${p.size} byte, paling besar ${p.max} byte).`,
    en: `The file is too large (${p.size} bytes, at most ${p.max} bytes).`,
  }),
  DIAGRAM_NOT_TEXT: () => ({
    id: 'Berkas ini bukan teks (mungkin gambar atau berkas rusak). Unggah berkas .drawio, .drawio.svg atau .yaml.',
    en: 'This file is not text (perhaps an image or a damaged file). Upload a .drawio, .drawio.svg or .yaml file.',
  }),
  DIAGRAM_FORMAT_UNKNOWN: () => ({
    id: 'Format berkas tidak dikenali. Unggah diagram draw.io (.drawio atau .drawio.svg) atau berkas YAML topologi Simpul.',
    en: 'Unknown file format. Upload a draw.io diagram (.drawio or .drawio.svg) or a Simpul topology YAML file.',
  }),
  DIAGRAM_DOCTYPE_FORBIDDEN: () => ({
    id: 'Berkas XML memuat <!DOCTYPE> atau <!ENTITY>, yang tidak pernah ditulis draw.io; berkas ditolak demi keamanan.',
    en: 'The XML file contains <!DOCTYPE> or <!ENTITY>, which draw.io never writes; the file is refused for safety.',
  }),
  DIAGRAM_XML_MALFORMED: (p: Params) => ({
    id: `Berkas XML rusak${p.line ? ` di baris ${p.line}` : ''}: ${p.detail}`,
    en: `The XML file is damaged${p.line ? ` at line ${p.line}` : ''}: ${p.detail}`,
  }),
  DIAGRAM_PAGE_CORRUPT: (p: Params) => ({
    id: `Halaman ${q(p.page)} yang dimampatkan tidak bisa dibuka (${p.detail}). Simpan ulang dari draw.io.`,
    en: `Compressed page ${q(p.page)} cannot be opened (${p.detail}). Save it again from draw.io.`,
  }),
  DIAGRAM_PAGE_TOO_LARGE: (p: Params) => ({
    id: `Halaman ${q(p.page)} membesar melebihi ${p.max} byte saat dibuka; berkas ditolak.`,
    en: `Page ${q(p.page)} expands beyond ${p.max} bytes when opened; the file is refused.`,
  }),
  DIAGRAM_TOO_MANY: (p: Params) => ({
    id: `Diagram memuat terlalu banyak ${p.whatId} (${p.count}, paling banyak ${p.max}).`,
    en: `The diagram has too many ${p.whatEn} (${p.count}, at most ${p.max}).`,
  }),
  DIAGRAM_EMPTY: () => ({
    id: 'Diagram tidak memuat satu pun halaman atau perangkat.',
    en: 'The diagram contains no page and no device.',
  }),
  DIAGRAM_NO_DEVICES: () => ({
    id: 'Diagram tidak memuat satu pun perangkat (halaman kosong). Gambarkan router, switch dan kabel kantor Anda, lalu unggah lagi; diagram kosong tidak dihitung sebagai penyerahan tahunan.',
    en: "The diagram has no device (a blank page). Draw your office's router, switches and cables, then upload again; a blank diagram does not count as the yearly submission.",
  }),
  DIAGRAM_NO_OPD_DEVICES: (p: Params) => ({
    id: `Diagram tidak memuat satu pun router atau switch ${p.opd} yang terdaftar di inventaris (${p.expected}). Beri setiap kotak perangkat ID-nya (properti 'device', misalnya ${p.example}); diagram ini tidak dihitung sebagai penyerahan tahunan.`,
    en: `The diagram draws none of ${p.opd}'s inventory routers and switches (${p.expected}). Give each device shape its id (a 'device' property, e.g. ${p.example}); this diagram does not count as the yearly submission.`,
  }),
  DIAGRAM_MOSTLY_OTHER_OPD: (p: Params) => ({
    id: `Sebagian besar perangkat dalam diagram ini bukan perangkat kantor Anda (${p.opd}). Unggah diagram jaringan kantor Anda sendiri; diagram ini tidak disimpan.`,
    en: `Most devices in this diagram are not your office's devices (${p.opd}). Upload your own office's network diagram; this one is not stored.`,
  }),
  DIAGRAM_OPD_MISMATCH: (p: Params) => ({
    id: `Berkas ini menyatakan diri sebagai diagram OPD ${q(p.declared)}, tetapi diunggah untuk ${p.opd}. Periksa baris opd: di berkas, atau unggah ke OPD yang benar.`,
    en: `This file declares itself the diagram of OPD ${q(p.declared)}, but it was uploaded for ${p.opd}. Check the opd: line in the file, or upload it to the right OPD.`,
  }),
  DIAGRAM_NOT_LATEST: (p: Params) => ({
    id: `Hanya versi terakhir (${p.latest}) yang bisa ditarik; versi ${p.version} sudah digantikan.`,
    en: `Only the latest version (${p.latest}) can be withdrawn; version ${p.version} has been superseded.`,
  }),
  DIAGRAM_ALREADY_WITHDRAWN: (p: Params) => ({
    id: `Versi ${p.version} sudah ditarik sebelumnya.`,
    en: `Version ${p.version} has already been withdrawn.`,
  }),
  DIAGRAM_CONTENT_TYPE: (p: Params) => ({
    id: `Jenis isi ${q(p.type)} tidak diterima untuk diagram. Kirim berkas diagram draw.io atau YAML itu sendiri sebagai isi permintaan, dengan jenis isi application/xml, image/svg+xml, application/yaml atau application/octet-stream.`,
    en: `Content type ${q(p.type)} is not accepted for a diagram. Send the draw.io or YAML diagram file itself as the request body, as application/xml, image/svg+xml, application/yaml or application/octet-stream.`,
  }),
  FORM_NO_FILE: () => ({
    id: 'Formulir tidak memuat berkas. Pilih satu berkas (tombol "Pilih berkas" / kolom file), lalu kirim lagi.',
    en: 'The form carries no file. Choose one file (the file field), then send again.',
  }),
  FORM_TWO_FILES: () => ({
    id: 'Formulir memuat lebih dari satu berkas. Kirim satu berkas saja per unggahan; tidak ada yang disimpan.',
    en: 'The form carries more than one file. Send one file per upload; nothing was stored.',
  }),
  YAML_SYNTAX: (p: Params) => ({
    id: `Berkas YAML salah tulis${p.line ? ` di baris ${p.line}` : ''}: ${p.detail}`,
    en: `The YAML file has a syntax error${p.line ? ` at line ${p.line}` : ''}: ${p.detail}`,
  }),
  YAML_ALIAS_FORBIDDEN: () => ({
    id: 'Berkas YAML memakai alias (*nama); alias tidak diizinkan. Tulis setiap nilai secara lengkap.',
    en: 'The YAML file uses aliases (*name); aliases are not allowed. Write every value out in full.',
  }),
  YAML_SCHEMA: (p: Params) => ({
    id: `Isi YAML salah pada ${p.path}: ${p.reasonId}`,
    en: `The YAML content is wrong at ${p.path}: ${p.reasonEn}`,
  }),
  SURVEY_TOO_LARGE: (p: Params) => ({
    id: `Berkas survei terlalu besar (${p.size}, paling banyak ${p.max}).`,
    en: `The survey file is too large (${p.size}, at most ${p.max}).`,
  }),
  SURVEY_EMPTY: () => ({
    id: 'Berkas survei kosong. Isi satu baris per label yang dibaca: lokasi, ujung (dekat/jauh), teks label.',
    en: 'The survey file is empty. Write one row per label read: location, end (near/far), label text.',
  }),
  SURVEY_ROW_INVALID: (p: Params) => ({
    id: `Baris ${p.line} berkas survei: ${p.reasonId}`,
    en: `Survey line ${p.line}: ${p.reasonEn}`,
  }),
} satisfies Record<string, (p: Params) => Message>;

export type MessageCode = keyof typeof catalog;

/** The message for a code, with its parameters filled in. */
export function msg(code: MessageCode, params: Params = {}): Message {
  return catalog[code](params);
}

/**
 * An input error with a stable code and a message in both languages; an AppError, so the HTTP
 * layer answers it as problem+json with `status` (4xx) and `detail` in English.
 */
export class BilingualError extends AppError {
  constructor(
    status: number,
    code: MessageCode,
    readonly text: Message,
    extra: Record<string, unknown> = {},
  ) {
    super(status, code, text.en, undefined, { ...extra, message: text });
    this.name = 'BilingualError';
  }
}
