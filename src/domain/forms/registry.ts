import { MENU } from '../commands.ts'
import type { FormDefinition, Texts } from './form.ts'
import { homeWatchForm } from './home-watch-form.ts'
import { keywordText } from './intents.ts'
import { mediationForm } from './mediation-form.ts'
import { bare } from './parsers.ts'
import { permitForm, permitMoveForm } from './permit-form.ts'
import { rentalForm } from './rental-form.ts'

/**
 * The services a resident can ask for by chat. A service with a form is
 * filled in by chat and on the web chat page; one without is announced as
 * coming soon and the resident's message goes to their officer.
 *
 * To add a form: define it beside home-watch-form.ts (fields, zod schema,
 * category), put it on its entry here, and give the app layer a
 * `RequestKind` for it (src/app/forms/request-kinds.ts) if it needs more than
 * a case (timers, follow-ups).
 */
export interface ServiceEntry {
  id: string
  title: Texts
  /** What residents write to start it, as `keywordText` reads them (lower case, single spaces). */
  keywords: readonly string[]
  /** The help menu's line for it, with the keyword to send. */
  menu: Texts
  form?: FormDefinition
}

export const SERVICES: readonly ServiceEntry[] = [
  {
    id: homeWatchForm.id,
    title: homeWatchForm.title,
    keywords: [
      '长假照看',
      '假期照看',
      '长假看家',
      '看家',
      '照看房子',
      '照看住所',
      'home watch',
      'holiday home watch',
      'homewatch',
      'house watch',
      'holiday watch',
    ],
    menu: {
      zh: '长假照看：出远门时请民警每天上门查看（“长假照看”）',
      en: 'Holiday home watch: your officer checks your home daily while you are away ("home watch")',
    },
    form: homeWatchForm,
  },
  {
    id: rentalForm.id,
    title: rentalForm.title,
    keywords: [
      '出租登记',
      '出租屋登记',
      '租客登记',
      '租户登记',
      'rental registration',
      'register a tenant',
      'tenant registration',
    ],
    menu: {
      zh: '出租登记：房东登记新租客（“出租登记”）',
      en: 'Rental registration: landlords register a new tenant ("rental registration")',
    },
    form: rentalForm,
  },
  {
    id: permitForm.id,
    title: permitForm.title,
    keywords: ['居住证', '居住证预约', '办居住证', 'residence permit', 'residence permit appointment'],
    menu: {
      zh: '居住证预约：约时间到社区警务室办理（“居住证”；已预约的可回复“改约”“取消预约”）',
      en: 'Residence permit appointment at the community police office ("residence permit"; booked: "move appointment", "cancel appointment")',
    },
    form: permitForm,
  },
  {
    id: mediationForm.id,
    title: mediationForm.title,
    keywords: [
      '调解',
      '矛盾调解',
      '纠纷调解',
      '矛盾纠纷调解',
      '调解纠纷',
      '调解矛盾',
      'mediation',
      'dispute mediation',
      'mediate',
      'mediate a dispute',
      'request mediation',
    ],
    menu: {
      zh: '矛盾纠纷调解：请调解员约双方坐下来谈（“调解”）',
      en: 'Dispute mediation: a mediator brings both sides together ("mediation")',
    },
    form: mediationForm,
  },
]

/** The service a message asks for by its keyword alone ("长假照看", "申请长假照看", "home watch"). */
export function serviceForKeyword(text: string): ServiceEntry | null {
  const t = keywordText(text)
  if (!t || t.length > 40) return null
  return SERVICES.find((s) => s.keywords.includes(t)) ?? null
}

/** Forms a running request starts (moving an appointment): found by id, never offered in the menu. */
const FOLLOW_UP_FORMS: readonly FormDefinition[] = [permitMoveForm]

export function formById(id: string): FormDefinition | null {
  return SERVICES.find((s) => s.id === id)?.form ?? FOLLOW_UP_FORMS.find((f) => f.id === id) ?? null
}

/** Services that can be requested now, in menu order. */
export function availableServices(): ServiceEntry[] {
  return SERVICES.filter((s) => s.form)
}

/**
 * The service a bare number picks from the help menu, whose numbers go on
 * after the self-service commands; null for any other text or number.
 */
export function serviceForMenuChoice(text: string): ServiceEntry | null {
  const m = /^(\d{1,2})$/.exec(bare(text))
  if (!m) return null
  return availableServices()[Number(m[1]) - MENU.length - 1] ?? null
}

/** True when the text could pick a service from the menu: only then is the menu looked up. */
export const mayPickService = (text: string): boolean => serviceForMenuChoice(text) !== null
