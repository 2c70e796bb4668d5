import type { Lang } from './types.ts'

/** Texts of the home-watch section of a case, beside it so the main dictionary stays about cases. */
const zh = {
  title: '长假照看',
  period: '{from} 至 {to}',
  progress: '已查看 {checked}/{days} 天',
  'state.active': '照看中',
  'state.ended': '已结束',
  'state.cancelled': '已停止',
  address: '住址',
  contact: '紧急联系人',
  keyHolder: '钥匙托管人或摄像头',
  yes: '有',
  no: '没有',
  notes: '备注',
  none: '无',
  days: '每日查看',
  'day.checked': '已查看',
  'day.attention': '有情况',
  'day.missed': '未查看',
  'day.due': '今天待查看',
  'day.upcoming': '待查看',
  'day.not-needed': '无需查看',
  'result.secure': '一切正常',
  'result.attention': '需要注意',
  photo: '照片 {ref}',
  recordTitle: '记录一次查看',
  fieldAt: '查看时间（留空为现在）',
  fieldResult: '结果',
  fieldNote: '说明（会发给居民；有情况时必填）',
  fieldPhoto: '照片（可选，会和说明一起发给居民）',
  photoUploading: '正在上传照片…',
  photoRemove: '移除照片',
  photoAlt: '查看时拍的照片',
  photoWrongType: '这不是照片：只能上传 JPEG、PNG、WebP 或 GIF 图片。',
  photoTooLarge: '照片太大，请压缩或降低分辨率后再传',
  record: '记录并告知居民',
  recording: '正在记录…',
  recorded: '已记录，居民已收到通知。',
  end: '提前结束照看',
  confirmEnd: '确认结束？居民会收到总结，案件办结。',
  ending: '正在结束…',
  loading: '正在加载长假照看…',
  errLoad: '长假照看加载失败：{message}',
}

export type HomeWatchKey = keyof typeof zh

const en: Record<HomeWatchKey, string> = {
  title: 'Holiday home watch',
  period: '{from} to {to}',
  progress: '{checked}/{days} days checked',
  'state.active': 'Running',
  'state.ended': 'Ended',
  'state.cancelled': 'Stopped',
  address: 'Address',
  contact: 'Emergency contact',
  keyHolder: 'Key holder or camera',
  yes: 'yes',
  no: 'no',
  notes: 'Notes',
  none: 'none',
  days: 'Daily checks',
  'day.checked': 'checked',
  'day.attention': 'needs attention',
  'day.missed': 'missed',
  'day.due': 'due today',
  'day.upcoming': 'to come',
  'day.not-needed': 'not needed',
  'result.secure': 'all secure',
  'result.attention': 'needs attention',
  photo: 'photo {ref}',
  recordTitle: 'Record a check',
  fieldAt: 'When (empty for now)',
  fieldResult: 'Result',
  fieldNote: 'Note (sent to the resident; required when something needs attention)',
  fieldPhoto: 'Photo (optional; sent to the resident with the note)',
  photoUploading: 'Uploading the photo…',
  photoRemove: 'Remove the photo',
  photoAlt: 'Photo taken at the check',
  photoWrongType: 'That is not a photo: only JPEG, PNG, WebP or GIF pictures can be uploaded.',
  photoTooLarge: 'The photo is too large; make it smaller or lower its resolution',
  record: 'Record and tell the resident',
  recording: 'Recording…',
  recorded: 'Recorded; the resident has been told.',
  end: 'End the home watch early',
  confirmEnd: 'End it now? The resident gets the summary and the case is resolved.',
  ending: 'Ending…',
  loading: 'Loading the home watch…',
  errLoad: 'Could not load the home watch: {message}',
}

const DICTIONARIES: Record<Lang, Record<HomeWatchKey, string>> = { zh, en }

export function homeWatchText(lang: Lang, key: HomeWatchKey, vars?: Record<string, string | number>): string {
  const template = DICTIONARIES[lang][key]
  if (!vars) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name]
    return value === undefined ? whole : String(value)
  })
}
