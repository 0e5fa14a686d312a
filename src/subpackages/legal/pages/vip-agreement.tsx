import LegalDocument from '../components/LegalDocument'
import { vipAgreement } from '../content'

export default function VipAgreementPage() {
  return <LegalDocument {...vipAgreement} />
}
