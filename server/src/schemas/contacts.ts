import { Type, type Static } from '@sinclair/typebox'

export const Contacts = Type.Object({
  service: Type.Object({
    phone: Type.String({ description: 'Customer service line, e.g. 400-1788-950' }),
    hours: Type.String({ description: 'When the line answers, e.g. 09:00—21:30' }),
  }),
  business: Type.Object({ phone: Type.String({ description: '商务合作' }) }),
  officialAccount: Type.Object({
    name: Type.String({ description: '公众号 name, to search for in WeChat' }),
    qrUrl: Type.Union([Type.String(), Type.Null()], {
      description:
        'The 公众号 QR image (GET /api/contacts/official-account-qr, versioned); null when none was uploaded',
    }),
  }),
  channels: Type.Object({
    name: Type.String({ description: '视频号 name' }),
    finderUserName: Type.Union([Type.String(), Type.Null()], {
      description: 'The 视频号 id for wx.openChannelsUserProfile; null when not configured',
    }),
  }),
  weibo: Type.Object({ name: Type.String({ description: '微博 name' }) }),
})
export type ContactsDto = Static<typeof Contacts>
