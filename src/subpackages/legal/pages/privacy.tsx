import LegalDocument from '../components/LegalDocument'
import { privacyPolicy } from '../content'

export default function PrivacyPolicyPage() {
  return <LegalDocument {...privacyPolicy} />
}
