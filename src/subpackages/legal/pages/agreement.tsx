import LegalDocument from '../components/LegalDocument'
import { userAgreement } from '../content'

export default function UserAgreementPage() {
  return <LegalDocument {...userAgreement} />
}
