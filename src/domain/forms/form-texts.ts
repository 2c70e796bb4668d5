import type { Language } from '../types.ts'
import type { Problem } from './parsers.ts'

type Params = Record<string, string | number>

const fill = (template: string, params: Params = {}) =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  )

/** Messages for the parsers' problem codes; a field may word its own instead. */
const PROBLEMS: Record<Language, Record<string, string>> = {
  zh: {
    unreadable: '没看懂这个日期。可以写“2月20日”“下周五”“明天”或“2026-02-20”。',
    'no-such-date': '没有{month}月{day}日这一天，请再看一下日期。',
    past: '这个日期已经过去了，请填今天或以后的日期。',
    'too-far': '日期太远了，请填{max}天以内的日期。',
    'not-a-phone': '这不像电话号码。手机号是1开头的11位数字；座机请带区号，如0571-87654321。',
    'mobile-length': '手机号应为11位数字，您发的是{digits}位，请再检查一下。',
    'needs-area-code': '座机号码请加上区号，如0571-87654321。',
    'not-yes-no': '请回复“有”或“没有”（“是”“不是”也可以）。',
    empty: '请填写内容。',
    required: '这一项必须填写。',
    invalid: '这一项的内容不对，请再检查一下。',
    'too-short': '太短了，请至少写{min}个字。',
    'too-long': '太长了：最多{max}个字，您写了{length}个字。',
    'id-old-format': '这是15位的旧身份证号，请提供18位的身份证号。',
    'id-length': '身份证号应为18位，您发的是{length}位。',
    'id-format': '身份证号由17位数字加最后一位数字或X组成，请再核对一下。',
    'id-region': '身份证号开头的地区码不对，请再核对一下。',
    'id-birthdate': '身份证号中的出生日期不对，请再核对一下。',
    'id-checksum': '身份证号的最后一位（校验位）对不上，可能有一位写错了，请再核对一下。',
  },
  en: {
    unreadable: 'I could not read that date. Try "20 Feb", "next Friday", "tomorrow" or "2026-02-20".',
    'no-such-date': 'There is no day {day} in month {month}; please check the date.',
    past: 'That date has already passed; please give today or a later date.',
    'too-far': 'That is too far ahead; please give a date within {max} days.',
    'not-a-phone':
      'That does not look like a phone number. A mobile number has 11 digits starting with 1; a landline needs its area code, e.g. 0571-87654321.',
    'mobile-length': 'A mobile number has 11 digits; yours has {digits}. Please check it.',
    'needs-area-code': 'Please add the area code to the landline number, e.g. 0571-87654321.',
    'not-yes-no': 'Please answer "yes" or "no".',
    empty: 'Please write something.',
    required: 'This one is required.',
    invalid: 'This answer is not right; please check it.',
    'too-short': 'Too short: please write at least {min} characters.',
    'too-long': 'Too long: at most {max} characters, yours has {length}.',
    'id-old-format': 'That is an old 15-digit ID number; please give the 18-digit one.',
    'id-length': 'An ID number has 18 characters; yours has {length}.',
    'id-format': 'An ID number is 17 digits followed by a digit or X; please check it.',
    'id-region': 'The region code at the start of the ID number is not right; please check it.',
    'id-birthdate': 'The date of birth in the ID number is not right; please check it.',
    'id-checksum':
      'The last character (the check digit) does not match: one digit may be wrong. Please check it.',
  },
}

export function commonProblem(problem: Problem, language: Language): string {
  const template = PROBLEMS[language][problem.code] ?? PROBLEMS[language].invalid ?? ''
  return fill(template, problem.params)
}

/** What the conversation says around the questions, whatever the form. */
export interface EngineTexts {
  start(title: string, intro: string): string
  progress(step: number, of: number): string
  help(title: string, step: number, of: number): string
  firstAlready(): string
  cancelled(title: string): string
  handOff(): string
  resumed(title: string): string
  summary(title: string, lines: string[]): string
  chooseEdit(of: number): string
  badSummaryAnswer(): string
  alreadyFilling(title: string): string
  otherFormActive(title: string): string
  comingSoon(title: string): string
  stillValid(): string
}

const zh: EngineTexts = {
  start: (title, intro) =>
    `好的，现在为您办理「${title}」。${intro}\n随时回复“上一步”返回上一题，回复“取消”退出。`,
  progress: (step, of) => `（${step}/${of}）`,
  help: (title, step, of) =>
    `您正在填写「${title}」（第${step}项，共${of}项）。回复“上一步”返回上一题，回复“取消”退出；提交前民警看不到这些内容。`,
  firstAlready: () => '已经是第一项了。',
  cancelled: (title) => `已取消「${title}」，填写的内容已删除。需要时再发“${title}”即可。`,
  handOff: () => '这一项用聊天不太好填，我们已把您的消息转给社区民警，民警会直接联系您。',
  resumed: (title) => `您还有一份没填完的「${title}」（回复“取消”可放弃）。`,
  summary: (title, lines) =>
    [
      `请核对您的「${title}」：`,
      ...lines,
      '回复“确认”提交；要改某一项，回复“修改”加编号，如“修改 2”；回复“取消”放弃。',
    ].join('\n'),
  chooseEdit: (of) => `要修改哪一项？请回复编号 1 到 ${of}。`,
  badSummaryAnswer: () => '请回复“确认”提交，或回复“修改”加编号修改某一项，如“修改 2”。',
  alreadyFilling: (title) => `您正在填写「${title}」，我们接着来。`,
  otherFormActive: (title) => `您正在填写「${title}」，请先填完，或回复“取消”后再办理其他事项。`,
  comingSoon: (title) =>
    `「${title}」的在线办理即将开通。您的消息已转给社区民警，民警会与您联系。紧急情况请拨打110。`,
  stillValid: () => '有一项内容需要更新：',
}

const en: EngineTexts = {
  start: (title, intro) =>
    `All right, let's set up your ${title} request. ${intro}\nReply "back" at any time to go to the previous question, or "cancel" to stop.`,
  progress: (step, of) => `(${step}/${of}) `,
  help: (title, step, of) =>
    `You are filling in a ${title} request (question ${step} of ${of}). Reply "back" for the previous question or "cancel" to stop; officers see nothing until you submit.`,
  firstAlready: () => 'This is the first question.',
  cancelled: (title) =>
    `Your ${title} request has been cancelled and what you entered deleted. Write "${title}" whenever you need it.`,
  handOff: () =>
    'This one is hard to fill in by chat, so we have passed your message to your community officer, who will contact you.',
  resumed: (title) => `You have an unfinished ${title} request (reply "cancel" to drop it).`,
  summary: (title, lines) =>
    [
      `Please check your ${title} request:`,
      ...lines,
      'Reply "confirm" to submit; to change an item, reply "edit" and its number, e.g. "edit 2"; reply "cancel" to drop it.',
    ].join('\n'),
  chooseEdit: (of) => `Which item would you like to change? Reply with a number from 1 to ${of}.`,
  badSummaryAnswer: () =>
    'Please reply "confirm" to submit, or "edit" and a number to change an item, e.g. "edit 2".',
  alreadyFilling: (title) => `You are filling in a ${title} request; let's carry on.`,
  otherFormActive: (title) =>
    `You are filling in a ${title} request: please finish it, or reply "cancel", before starting another.`,
  comingSoon: (title) =>
    `Online ${title} is coming soon. We have passed your message to your community officer, who will contact you. In an emergency, call 110.`,
  stillValid: () => 'One answer needs updating:',
}

export function engineTexts(language: Language): EngineTexts {
  return language === 'en' ? en : zh
}
